package ch08_test

import (
	"testing"

	"github.com/httpfromscratch/course/internal/stagetest"
)

func TestMain(m *testing.M) { stagetest.Main(m) }

// TestScripts runs the stage's over-the-wire scripts (see internal/stages)
// against `learn run ch08`.
func TestScripts(t *testing.T) { stagetest.Run(t, "ch08") }
