// Package stages is the course's one registry: the ten stages in order
// (ch01 to ch09, then final), each with its title, summary, lesson, the run
// flags it takes, its over-the-wire scripts and how to serve it. The learn
// CLI, its help text and the test harness all read it, so none can drift.
package stages
