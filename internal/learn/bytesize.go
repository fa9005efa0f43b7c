package learn

import (
	"fmt"
	"strconv"
	"strings"
)

// ByteSize is a flag value in bytes, written as a number with an optional
// unit: 1048576, 512KiB, 1MiB, 2GiB (also K, M, G, KB, MB, GB, all powers
// of 1024).
type ByteSize int64

// byteUnits maps a unit suffix to its multiplier, longest suffixes first
// so "KiB" is tried before "B".
var byteUnits = []struct {
	suffix string
	mult   int64
}{
	{"kib", 1 << 10}, {"mib", 1 << 20}, {"gib", 1 << 30},
	{"kb", 1 << 10}, {"mb", 1 << 20}, {"gb", 1 << 30},
	{"k", 1 << 10}, {"m", 1 << 20}, {"g", 1 << 30}, {"b", 1},
}

// UnmarshalText parses a size.
func (b *ByteSize) UnmarshalText(text []byte) error {
	s := strings.ToLower(strings.TrimSpace(string(text)))
	mult := int64(1)
	for _, u := range byteUnits {
		if strings.HasSuffix(s, u.suffix) {
			s, mult = strings.TrimSpace(strings.TrimSuffix(s, u.suffix)), u.mult
			break
		}
	}
	n, err := strconv.ParseInt(s, 10, 64)
	if err != nil || n < 0 || n > (1<<62)/mult {
		return fmt.Errorf("%q is not a size in bytes (try 1048576, 512KiB or 1MiB)", string(text))
	}
	*b = ByteSize(n * mult)
	return nil
}
