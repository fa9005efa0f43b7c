package ch09_test

import (
	"testing"

	"github.com/httpfromscratch/course/internal/stagetest"
)

func TestMain(m *testing.M) { stagetest.Main(m) }

// TestScripts runs the stage's over-the-wire scripts (see internal/stages)
// against `learn run ch09`: chapter 5's checks and earlier, and this
// chapter's own, which press where a faster server cuts corners.
func TestScripts(t *testing.T) { stagetest.Run(t, "ch09") }
