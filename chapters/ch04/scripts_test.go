package ch04_test

import (
	"testing"

	"github.com/httpfromscratch/course/internal/stagetest"
)

func TestMain(m *testing.M) { stagetest.Main(m) }

// TestScripts runs the over-the-wire scripts of testdata/ch04 (and those
// the stage keeps from earlier chapters) against `learn run ch04`.
func TestScripts(t *testing.T) { stagetest.Run(t, "ch04") }
