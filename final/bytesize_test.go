package final

import "testing"

func TestByteSize(t *testing.T) {
	tests := []struct {
		in      string
		want    ByteSize
		wantErr bool
	}{
		{"0", 0, false},
		{"1048576", 1 << 20, false},
		{"512KiB", 512 << 10, false},
		{"1MiB", 1 << 20, false},
		{"2gib", 2 << 30, false},
		{"10k", 10 << 10, false},
		{"7B", 7, false},
		{" 3 MB ", 3 << 20, false},
		{"-1", 0, true},
		{"1.5MiB", 0, true},
		{"lots", 0, true},
		{"99999999999GiB", 0, true},
	}
	for _, tt := range tests {
		t.Run(tt.in, func(t *testing.T) {
			var got ByteSize
			err := got.UnmarshalText([]byte(tt.in))
			if (err != nil) != tt.wantErr || got != tt.want {
				t.Errorf("UnmarshalText(%q) = %d, %v; want %d, error %v", tt.in, got, err, tt.want, tt.wantErr)
			}
		})
	}
}
