// SPDX-License-Identifier: GPL-2.0

// Package panics checks what a Go panic does in a go3s module: it WARNs,
// naming the check and the Go function (and, for a nil pointer, the
// line), and ends its goroutine only. Init starts one goroutine per kind
// of panic; each says it started, then panics. The module stays loaded,
// rmmod works once they are gone, and Exit panics too: the unload goes on.
// The debug VM loads it (scripts/vm/init-test.sh) and expects each WARN,
// which names the function: they are not inlined into the go thunks.
package panics

type node struct {
	next *node
	v    int
}

//go:noinline
func index(started chan<- int, i int) {
	s := make([]int, 3)
	started <- 1
	s[i] = 1
}

//go:noinline
func nilDeref(started chan<- int, p *node) {
	started <- 1
	println("unreachable", p.v)
}

//go:noinline
func divide(started chan<- int, d int) {
	started <- 1
	println("unreachable", 100/d)
}

//go:noinline
func explicit(started chan<- int) {
	started <- 1
	panic("explicit panic from Go")
}

//go:noinline
func number(started chan<- int) {
	started <- 1
	panic(42)
}

//go:noinline
func sendClosed(started chan<- int) {
	c := make(chan int, 1)
	close(c)
	started <- 1
	c <- 1
}

//extern go3s_sleep
func sleep(ns uint64) int32

// Init runs in a goroutine when the module loads. It starts the
// panickers one at a time, 300 ms apart: WARNs from several CPUs at once
// would interleave on the console, which the debug VM's judge reads one
// whole report at a time.
func Init() int {
	started := make(chan int, 8)
	n := 0
	for i := 0; i < 6; i++ {
		switch i {
		case 0:
			go index(started, 5)
		case 1:
			go nilDeref(started, nil)
		case 2:
			go divide(started, 0)
		case 3:
			go explicit(started)
		case 4:
			go number(started)
		case 5:
			go sendClosed(started)
		}
		n += <-started
		sleep(300 * 1000000)
	}
	println(n, "goroutines started; each panics")
	return 0
}

// Exit runs in a goroutine when the module unloads.
func Exit() {
	var p *node
	println("unreachable", p.next.v)
}
