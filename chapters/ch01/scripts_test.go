package ch01_test

import (
	"testing"

	"github.com/httpfromscratch/course/internal/stagetest"
)

func TestMain(m *testing.M) { stagetest.Main(m) }

// TestScripts runs testdata/ch01/*.txtar over the wire against `learn run ch01`.
func TestScripts(t *testing.T) { stagetest.Run(t, "ch01") }
