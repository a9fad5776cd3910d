// SPDX-License-Identifier: GPL-2.0
/*
 * Channels from a driver's point of view: a generator goroutine feeds an
 * unbuffered channel, SQUARERS goroutines turn numbers into squares on a
 * buffered one, and module init (a plain task) collects the results with
 * a select that gives up after a timeout. Closing a channel is how each
 * stage tells the next one it is done.
 */
#include <linux/module.h>

#include <go3s/chan.h>
#include <go3s/go.h>
#include <go3s/wg.h>

#define N		100
#define SQUARERS	4

static struct go3s_chan *nums, *squares;
static struct go3s_wg running;	/* the generator and the squarers */

static void generate(void *arg)
{
	u64 i;

	for (i = 1; i <= N; i++)
		if (go3s_chan_send(nums, &i))
			break;
	go3s_chan_close(nums);		/* the squarers see ok == false */
	go3s_wg_done(&running);
}

static void square(void *arg)
{
	bool ok;
	u64 v;

	while (!go3s_chan_recv(nums, &v, &ok) && ok) {
		v *= v;
		if (go3s_chan_send(squares, &v))
			break;
	}
	go3s_wg_done(&running);
}

static int collect(u64 *sum)
{
	u64 v;
	struct go3s_select_case c = { .ch = squares, .elem = &v,
				      .dir = GO3S_CHAN_RECV };
	int i, ret;

	for (i = 0; i < N; i++) {
		ret = go3s_select(&c, 1, NSEC_PER_SEC);
		if (ret < 0)
			return ret;
		*sum += v;
	}
	return 0;
}

static int __init go3s_channels_init(void)
{
	u64 sum = 0;
	int i, ret;

	nums = go3s_chan_new(sizeof(u64), 0, GFP_KERNEL);
	squares = go3s_chan_new(sizeof(u64), 16, GFP_KERNEL);
	if (IS_ERR(nums) || IS_ERR(squares)) {
		ret = -ENOMEM;
		goto out;
	}
	go3s_wg_init(&running);
	go3s_wg_add(&running, SQUARERS + 1);
	for (i = 0; i < SQUARERS; i++)
		if (go3s_go(square, NULL))
			go3s_wg_done(&running);
	ret = go3s_go(generate, NULL);
	if (ret)
		go3s_wg_done(&running);
	else
		ret = collect(&sum);
	/* On failure, closing both makes every goroutine give up. */
	go3s_chan_close(nums);
	go3s_chan_close(squares);
	go3s_wg_wait(&running);
	if (!ret)
		pr_info("%d squarers over channels: sum of squares 1..%d = %llu\n",
			SQUARERS, N, sum);
out:
	if (!IS_ERR(nums))
		go3s_chan_put(nums);
	if (!IS_ERR(squares))
		go3s_chan_put(squares);
	return ret;
}

static void __exit go3s_channels_exit(void)
{
}

module_init(go3s_channels_init);
module_exit(go3s_channels_exit);

GO3S_IMPORT_NS();
MODULE_LICENSE("GPL");
MODULE_DESCRIPTION("Go3s sample client: a pipeline of goroutines over channels");
MODULE_VERSION("0.1.0");
