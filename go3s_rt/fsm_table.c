// SPDX-License-Identifier: GPL-2.0
/*
 * State machine tables: validation at registration, the (state, event)
 * index, and what can be read about a machine: counters, debugfs
 * go3s/fsm, the DOT export (debugfs go3s/fsm.dot).
 *
 * Readers take a racy snapshot of counters only the machine's goroutine
 * writes (READ_ONCE; see the legend in fsm.h); the list of machines is
 * held under fsm_mutex while it is walked, and a machine leaves it before
 * it is freed.
 */
#include <linux/bitops.h>
#include <linux/debugfs.h>
#include <linux/seq_buf.h>
#include <linux/seq_file.h>
#include <kunit/visibility.h>

#include <go3s/chan.h>
#include <go3s/fsm.h>

#include "bug.h"
#include "debugfs.h"
#include "fsm.h"

DEFINE_MUTEX(fsm_mutex);		/* protects fsm_list */
LIST_HEAD(fsm_list);			/* M: live machines */

#define tname(t)	((t)->name ?: "?")

static int check_hook(const struct go3s_fsm_table *t, unsigned int s,
		      const struct go3s_fsm_hook_desc *hd, const char *which)
{
	if (!hd->fn)
		return 0;
	if (!hd->timeout_ms) {
		pr_err("fsm table %s: %s hook of %s has no timeout\n", tname(t), which,
		       t->state_names[s]);
		return -EINVAL;
	}
	if (hd->on_timeout >= t->nr_states) {
		pr_err("fsm table %s: %s hook of %s times out to state %u, not a state\n",
		       tname(t), which, t->state_names[s], hd->on_timeout);
		return -EINVAL;
	}
	return 0;
}

static int check_names(const struct go3s_fsm_table *t)
{
	unsigned int i;

	for (i = 0; i < t->nr_states; i++)
		if (!t->state_names[i])
			goto bad;
	for (i = 0; i < t->nr_events; i++)
		if (!t->event_names[i])
			goto bad;
	return 0;
bad:
	pr_err("fsm table %s: a state or event has no name\n", tname(t));
	return -EINVAL;
}

/* States reachable from the initial one, by transitions and timeouts. */
static u64 reachable(const struct go3s_fsm_table *t)
{
	u64 seen = BIT_ULL(t->initial), prev = 0;
	const struct go3s_fsm_state *st;
	unsigned int i;

	while (seen != prev) {
		prev = seen;
		for (i = 0; i < t->nr_trans; i++)
			if (seen & BIT_ULL(t->trans[i].from))
				seen |= BIT_ULL(t->trans[i].to);
		for (i = 0; i < t->nr_states; i++) {
			if (!(seen & BIT_ULL(i)))
				continue;
			st = &t->states[i];
			if (st->enter.fn)
				seen |= BIT_ULL(st->enter.on_timeout);
			if (st->exit.fn)
				seen |= BIT_ULL(st->exit.on_timeout);
		}
	}
	return seen;
}

/**
 * go3s_fsm_validate - check a transition table
 * @t: the table.
 *
 * What go3s_fsm_create() checks before it runs @t: counts within
 * GO3S_FSM_MAX_*, names for every state and event, every transition's
 * states and event in range, at most one transition per (state, event),
 * every hook with a timeout and a timeout state in range, every state
 * reachable from the initial one (by transitions or hook timeouts).
 * Each refusal is logged with the table's name and the culprit.
 * Context: any context.
 * Return: 0 if @t is valid; -EINVAL otherwise (also for a NULL @t).
 */
int go3s_fsm_validate(const struct go3s_fsm_table *t)
{
	u64 seen[GO3S_FSM_MAX_STATES] = {};
	const struct go3s_fsm_trans *tr;
	unsigned int i;
	u64 reach;
	int ret;

	if (!t || !t->state_names || !t->event_names || !t->states || !t->trans) {
		pr_err("fsm table %s: missing names, states or transitions\n",
		       t ? tname(t) : "(NULL)");
		return -EINVAL;
	}
	if (!t->nr_states || t->nr_states > GO3S_FSM_MAX_STATES ||
	    !t->nr_events || t->nr_events > GO3S_FSM_MAX_EVENTS ||
	    !t->nr_trans || t->nr_trans > GO3S_FSM_MAX_TRANS ||
	    t->initial >= t->nr_states || t->mailbox_cap > GO3S_CHAN_MAX_CAP ||
	    t->watch_cap > GO3S_CHAN_MAX_CAP) {
		pr_err("fsm table %s: %u states, %u events, %u transitions, initial %u: out of range\n",
		       tname(t), t->nr_states, t->nr_events, t->nr_trans, t->initial);
		return -EINVAL;
	}
	ret = check_names(t);
	if (ret)
		return ret;
	for (i = 0; i < t->nr_trans; i++) {
		tr = &t->trans[i];
		if (tr->from >= t->nr_states || tr->to >= t->nr_states ||
		    tr->event >= t->nr_events) {
			pr_err("fsm table %s: transition %u (%u --%u--> %u) out of range\n",
			       tname(t), i, tr->from, tr->event, tr->to);
			return -EINVAL;
		}
		if (seen[tr->from] & BIT_ULL(tr->event)) {
			pr_err("fsm table %s: transition %u: a second transition for (%s, %s)\n",
			       tname(t), i, t->state_names[tr->from],
			       t->event_names[tr->event]);
			return -EINVAL;
		}
		seen[tr->from] |= BIT_ULL(tr->event);
	}
	for (i = 0; i < t->nr_states; i++) {
		ret = check_hook(t, i, &t->states[i].enter, "entry") ?:
		      check_hook(t, i, &t->states[i].exit, "exit");
		if (ret)
			return ret;
	}
	reach = reachable(t);
	for (i = 0; i < t->nr_states; i++) {
		if (!(reach & BIT_ULL(i))) {
			pr_err("fsm table %s: state %s cannot be reached from %s\n",
			       tname(t), t->state_names[i], t->state_names[t->initial]);
			ret = -EINVAL;
		}
	}
	return ret;
}
EXPORT_SYMBOL_GO3S(go3s_fsm_validate);

/* Fill @index[state * nr_events + event] with transition + 1 (0: none). */
void fsm_index_build(const struct go3s_fsm_table *t, u16 *index)
{
	unsigned int i;

	for (i = 0; i < t->nr_trans; i++)
		index[t->trans[i].from * t->nr_events + t->trans[i].event] = i + 1;
}

/**
 * go3s_fsm_get_stats - read a machine's counters
 * @m: the machine.
 * @st: filled with a snapshot of them.
 *
 * Context: any context.
 * Return: 0, or -EINVAL for a NULL @m or @st (a caller bug: warns once).
 */
int go3s_fsm_get_stats(struct go3s_fsm *m, struct go3s_fsm_stats *st)
{
	if (GO3S_WARN_ONCE(IS_ERR_OR_NULL(m) || !st, "go3s: %s: NULL argument\n", __func__))
		return -EINVAL;
	st->events = READ_ONCE(m->st.events);
	st->moves = READ_ONCE(m->st.moves);
	st->illegal = READ_ONCE(m->st.illegal);
	st->refused = READ_ONCE(m->st.refused);
	st->hook_errors = READ_ONCE(m->st.hook_errors);
	st->timeouts = READ_ONCE(m->st.timeouts);
	st->late = READ_ONCE(m->st.late);
	st->full = atomic64_read(&m->full);
	st->watch_dropped = READ_ONCE(m->st.watch_dropped);
	return 0;
}
EXPORT_SYMBOL_GO3S(go3s_fsm_get_stats);

/**
 * go3s_fsm_count - how many times a machine moved from one state to another
 * @m: the machine.
 * @from: the state left.
 * @to: the state entered.
 *
 * Sums the counts of every transition from @from to @to and of the hook
 * timeouts that moved it so.
 * Context: any context.
 * Return: the count; 0 for states out of range or a NULL @m (a caller bug:
 * warns once).
 */
u64 go3s_fsm_count(struct go3s_fsm *m, unsigned int from, unsigned int to)
{
	const struct go3s_fsm_table *t;
	const struct go3s_fsm_state *st;
	unsigned int i;
	u64 n = 0;

	if (GO3S_WARN_ONCE(IS_ERR_OR_NULL(m), "go3s: %s on a NULL or ERR_PTR machine\n",
			   __func__))
		return 0;
	t = m->t;
	if (from >= t->nr_states || to >= t->nr_states)
		return 0;
	for (i = 0; i < t->nr_trans; i++)
		if (t->trans[i].from == from && t->trans[i].to == to)
			n += READ_ONCE(m->counts[i]);
	st = &t->states[from];
	if (st->enter.fn && st->enter.on_timeout == to)
		n += READ_ONCE(m->counts[fsm_timeout_slot(t, from, false)]);
	if (st->exit.fn && st->exit.on_timeout == to)
		n += READ_ONCE(m->counts[fsm_timeout_slot(t, from, true)]);
	return n;
}
EXPORT_SYMBOL_GO3S(go3s_fsm_count);

/* The edge of a hook timeout out of state @i (@k: its exit hook). */
static void print_timeout(struct go3s_fsm *m, struct seq_buf *s, bool dot,
			  unsigned int i, unsigned int k)
{
	const struct go3s_fsm_table *t = m->t;
	const struct go3s_fsm_hook_desc *hd = k ? &t->states[i].exit : &t->states[i].enter;
	const char *kind = k ? "exit" : "entry";
	u64 n = READ_ONCE(m->counts[fsm_timeout_slot(t, i, k)]);

	if (!hd->fn)
		return;
	if (dot)
		seq_buf_printf(s, "\t\"%s\" -> \"%s\" [style=dashed, label=\"%s %ums (%llu)\"];\n",
			       t->state_names[i], t->state_names[hd->on_timeout], kind,
			       hd->timeout_ms, n);
	else
		seq_buf_printf(s, "%s %s -timeout(%s)-> %s %llu\n", m->name,
			       t->state_names[i], kind, t->state_names[hd->on_timeout], n);
}

/* One line per move @m can make, for debugfs and DOT: @dot picks the format. */
static void print_edges(struct go3s_fsm *m, struct seq_buf *s, bool dot)
{
	const struct go3s_fsm_table *t = m->t;
	const char *const *sn = t->state_names;
	const struct go3s_fsm_trans *tr;
	unsigned int i;

	for (i = 0; i < t->nr_trans; i++) {
		tr = &t->trans[i];
		if (dot)
			seq_buf_printf(s, "\t\"%s\" -> \"%s\" [label=\"%s%s (%llu)\"];\n",
				       sn[tr->from], sn[tr->to], t->event_names[tr->event],
				       tr->guard ? " [guard]" : "", READ_ONCE(m->counts[i]));
		else
			seq_buf_printf(s, "%s %s -%s-> %s %llu\n", m->name, sn[tr->from],
				       t->event_names[tr->event], sn[tr->to],
				       READ_ONCE(m->counts[i]));
	}
	for (i = 0; i < t->nr_states; i++) {
		print_timeout(m, s, dot, i, 0);
		print_timeout(m, s, dot, i, 1);
	}
}

/**
 * go3s_fsm_dot - write a machine's table as a Graphviz digraph
 * @m: the machine.
 * @s: where to write (see <linux/seq_buf.h>).
 *
 * One node per state (the initial one a double circle, the current one
 * filled), one edge per transition labelled with its event, a guard mark
 * and its count, and a dashed edge per hook timeout.
 * Context: any context.
 * Return: 0; -EOVERFLOW when @s was too small (its contents are cut);
 * -EINVAL for a NULL @m or @s (a caller bug: warns once).
 */
int go3s_fsm_dot(struct go3s_fsm *m, struct seq_buf *s)
{
	const struct go3s_fsm_table *t;
	unsigned int i, cur;

	if (GO3S_WARN_ONCE(IS_ERR_OR_NULL(m) || !s, "go3s: %s: NULL argument\n", __func__))
		return -EINVAL;
	t = m->t;
	cur = READ_ONCE(m->state);
	seq_buf_printf(s, "digraph \"%s\" {\n\tlabel=\"%s (table %s)\";\n\trankdir=LR;\n",
		       m->name, m->name, tname(t));
	for (i = 0; i < t->nr_states; i++)
		seq_buf_printf(s, "\t\"%s\" [shape=%s%s];\n", t->state_names[i],
			       i == t->initial ? "doublecircle" : "circle",
			       i == cur ? ", style=filled" : "");
	print_edges(m, s, true);
	seq_buf_printf(s, "}\n");
	return seq_buf_has_overflowed(s) ? -EOVERFLOW : 0;
}
EXPORT_SYMBOL_GO3S(go3s_fsm_dot);

/* Run @fn over a seq_buf on @sf's buffer; seq_file retries with more room. */
static int show_seq_buf(struct seq_file *sf, void (*fn)(struct seq_buf *s))
{
	struct seq_buf s;
	char *buf;
	size_t len = seq_get_buf(sf, &buf);

	seq_buf_init(&s, buf, len);
	fn(&s);
	seq_commit(sf, seq_buf_has_overflowed(&s) ? -1 : (int)seq_buf_used(&s));
	return 0;
}

static void list_machines(struct seq_buf *s)
{
	struct go3s_fsm_stats st;
	struct go3s_fsm *m;

	mutex_lock(&fsm_mutex);
	list_for_each_entry(m, &fsm_list, node) {
		go3s_fsm_get_stats(m, &st);
		seq_buf_printf(s, "%s table=%s state=%s events=%llu moves=%llu illegal=%llu",
			       m->name, tname(m->t), m->t->state_names[READ_ONCE(m->state)],
			       st.events, st.moves, st.illegal);
		seq_buf_printf(s, " refused=%llu hook_errors=%llu timeouts=%llu late=%llu",
			       st.refused, st.hook_errors, st.timeouts, st.late);
		seq_buf_printf(s, " full=%llu watch_dropped=%llu\n", st.full, st.watch_dropped);
		print_edges(m, s, false);
	}
	mutex_unlock(&fsm_mutex);
}

static void dot_machines(struct seq_buf *s)
{
	struct go3s_fsm *m;

	mutex_lock(&fsm_mutex);
	list_for_each_entry(m, &fsm_list, node)
		go3s_fsm_dot(m, s);
	mutex_unlock(&fsm_mutex);
}

/*
 * debugfs go3s/fsm: per machine, a line with its state and counters, then
 * "<machine> <from> -<event>-> <to> <count>" per transition and
 * "<machine> <state> -timeout(entry|exit)-> <to> <count>" per hook.
 */
int go3s_fsm_show(struct seq_file *sf, void *unused)
{
	return show_seq_buf(sf, list_machines);
}
EXPORT_SYMBOL_IF_KUNIT(go3s_fsm_show);

static int go3s_fsm_dot_show(struct seq_file *sf, void *unused)
{
	return show_seq_buf(sf, dot_machines);
}

DEFINE_SHOW_ATTRIBUTE(go3s_fsm);
DEFINE_SHOW_ATTRIBUTE(go3s_fsm_dot);

void go3s_fsm_init(void)
{
	debugfs_create_file("fsm", 0444, go3s_debugfs_root(), NULL, &go3s_fsm_fops);
	debugfs_create_file("fsm.dot", 0444, go3s_debugfs_root(), NULL,
			    &go3s_fsm_dot_fops);
}
