package proc

import (
	"os"
	"runtime"
	"syscall"
	"testing"
	"time"
)

func TestParseVmRSS(t *testing.T) {
	tests := []struct {
		name   string
		status string
		want   int64
		ok     bool
	}{
		{"usual", "Name:\tlearn\nVmPeak:\t  900 kB\nVmRSS:\t   12345 kB\nRssAnon:\t 100 kB\n", 12345 << 10, true},
		{"last line without newline", "Name:\tx\nVmRSS:\t7 kB", 7 << 10, true},
		{"zero", "VmRSS:\t0 kB\n", 0, true},
		{"no VmRSS (kernel thread)", "Name:\tkthreadd\nState:\tS\n", 0, false},
		{"other unit", "VmRSS:\t12 MB\n", 0, false},
		{"not a number", "VmRSS:\tlots kB\n", 0, false},
		{"negative", "VmRSS:\t-5 kB\n", 0, false},
		{"no unit", "VmRSS:\t12345\n", 0, false},
	}
	for _, tt := range tests {
		t.Run(tt.name, func(t *testing.T) {
			got, err := parseVmRSS([]byte(tt.status))
			if (err == nil) != tt.ok || got != tt.want {
				t.Errorf("parseVmRSS(%q) = %d, %v, want %d, ok %v", tt.status, got, err, tt.want, tt.ok)
			}
		})
	}
}

func TestParseOpenFiles(t *testing.T) {
	limits := "Limit                     Soft Limit           Hard Limit           Units     \n" +
		"Max cpu time              unlimited            unlimited            seconds   \n" +
		"Max open files            20000                20000                files     \n"
	if soft, hard, err := parseOpenFiles([]byte(limits)); err != nil || soft != 20000 || hard != 20000 {
		t.Errorf("parseOpenFiles = %d, %d, %v, want 20000, 20000", soft, hard, err)
	}
	mixed := "Max open files            1024                 unlimited            files\n"
	if soft, hard, err := parseOpenFiles([]byte(mixed)); err != nil || soft != 1024 || hard != ^uint64(0) {
		t.Errorf("parseOpenFiles(1024, unlimited) = %d, %d, %v, want 1024 and the largest uint64", soft, hard, err)
	}
	if _, _, err := parseOpenFiles([]byte("Max cpu time unlimited unlimited seconds\n")); err == nil {
		t.Errorf("parseOpenFiles without the line: no error")
	}
}

func TestParsePPID(t *testing.T) {
	tests := []struct {
		stat string
		want int
		ok   bool
	}{
		{"1234 (learn) S 77 1234 1234 0 -1", 77, true},
		{"1234 (a (b) c) R 88 1 1", 88, true}, // a command name with spaces and parentheses
		{"1234 (learn) S", 0, false},
		{"garbage", 0, false},
	}
	for _, tt := range tests {
		got, err := parsePPID([]byte(tt.stat))
		if (err == nil) != tt.ok || got != tt.want {
			t.Errorf("parsePPID(%q) = %d, %v, want %d, ok %v", tt.stat, got, err, tt.want, tt.ok)
		}
	}
}

func TestParseGroupCPU(t *testing.T) {
	// pid (comm) state ppid pgrp session tty tpgid flags minflt cminflt majflt cmajflt utime stime cutime cstime ...
	stat := "4242 (learn (x)) S 1 4200 4200 0 -1 4194560 100 0 0 0 150 50 7 3 20 0 9 0 1 2 3\n"
	pgrp, ticks, err := parseGroupCPU([]byte(stat))
	if err != nil || pgrp != 4200 || ticks != 150+50+7+3 {
		t.Errorf("parseGroupCPU = %d, %d, %v, want 4200, 210", pgrp, ticks, err)
	}
	if _, _, err := parseGroupCPU([]byte("4242 (learn) S 1 4200")); err == nil {
		t.Errorf("parseGroupCPU(short) = nil error")
	}
}

func TestSelf(t *testing.T) {
	if runtime.GOOS != "linux" {
		t.Skip("needs /proc")
	}
	if n, err := RSS(os.Getpid()); err != nil || n <= 0 {
		t.Errorf("RSS(self) = %d, %v, want a positive size", n, err)
	}
	if soft, hard, err := OpenFileLimits(os.Getpid()); err != nil || soft == 0 || hard < soft {
		t.Errorf("OpenFileLimits(self) = %d, %d, %v", soft, hard, err)
	}
	if !Descendant(os.Getpid(), os.Getppid()) {
		t.Errorf("Descendant(self, parent) = false")
	}
	if Descendant(os.Getppid(), os.Getpid()) {
		t.Errorf("Descendant(parent, self) = true")
	}
	pgid, err := syscall.Getpgid(0)
	if err != nil {
		t.Fatal(err)
	}
	before, err := GroupCPU(pgid)
	if err != nil {
		t.Fatalf("GroupCPU(own group) = %v", err)
	}
	for deadline := time.Now().Add(5 * time.Second); time.Now().Before(deadline); {
		// Spin until the kernel's tick accounting sees it: 10 ms a tick.
		if after, _ := GroupCPU(pgid); after > before {
			return
		}
	}
	t.Errorf("GroupCPU(own group) did not grow over 5 s of spinning")
}

func TestRaiseFileLimit(t *testing.T) {
	if runtime.GOOS != "linux" && runtime.GOOS != "darwin" {
		t.Skip("the limit on open files is not raised on " + runtime.GOOS)
	}
	if err := RaiseFileLimit(1 << 62); err == nil {
		t.Errorf("RaiseFileLimit(more than any hard limit) = nil, want an error")
	}
	if err := RaiseFileLimit(10); err != nil {
		t.Errorf("RaiseFileLimit(10) = %v, want nil", err)
	}
}
