// SPDX-License-Identifier: GPL-2.0

// Package pipeline is samples/channels written in Go: a generator
// goroutine feeds an unbuffered channel, squarer goroutines turn numbers
// into squares on a buffered one, and Init collects the results. Closing
// a channel is how each stage tells the next one it is done; a select
// with a default case polls a quit channel. One goroutine outlives Init
// by holdMs, so that rmmod is refused until it ends.
package pipeline

//extern go3s_sleep
func sleep(ns uint64) int32

const (
	n        = 100
	squarers = 4
	holdMs   = 3000
)

type result struct {
	worker int
	square int
}

func generate(nums chan<- int, quit <-chan bool) {
	for i := 1; i <= n; i++ {
		select {
		case <-quit:
			close(nums)
			return
		default:
		}
		nums <- i
	}
	close(nums)
}

func square(id int, nums <-chan int, out chan<- result, done chan<- int) {
	count := 0
	for v := range nums {
		out <- result{worker: id, square: v * v}
		count++
	}
	done <- count
}

// Init runs in a goroutine when the module loads; its result is the
// module init's.
func Init() int {
	nums := make(chan int)
	out := make(chan result, 16)
	done := make(chan int, squarers)
	quit := make(chan bool)

	go generate(nums, quit)
	for i := 0; i < squarers; i++ {
		go square(i, nums, out, done)
	}
	// The collector closes out once every squarer has reported.
	counts := make([]int, 0)
	go func() {
		for i := 0; i < squarers; i++ {
			counts = append(counts, <-done)
		}
		close(out)
	}()

	sum := 0
	per := [squarers]int{}
	for r := range out {
		sum += r.square
		per[r.worker]++
	}
	total := 0
	for _, c := range per {
		total += c
	}
	println("squares of 1 ..", n, "from", squarers, "squarers:", sum, "in", total, "results")
	if sum != n*(n+1)*(2*n+1)/6 || total != n {
		return -22
	}

	// A goroutine that outlives Init: rmmod must wait for it.
	go func() {
		sleep(holdMs * 1000000)
		println("last goroutine done")
	}()
	return 0
}

// Exit runs in a goroutine when the module unloads.
func Exit() {
	println("exit")
}
