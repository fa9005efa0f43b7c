//go:build !linux

package ch09

import (
	"net"
)

// listenConfig leaves keep-alive to Go, which sets the same probe
// settings on each accepted connection: not every kernel copies them
// from the listening socket.
func listenConfig() net.ListenConfig {
	return net.ListenConfig{KeepAliveConfig: net.KeepAliveConfig{
		Enable:   true,
		Idle:     keepAliveIdle,
		Interval: keepAliveInterval,
		Count:    keepAliveCount,
	}}
}
