/* heron-message-list-merged.c: HeronMessageList: several sources merged newest first
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-message-list-private.h"

/* Merged lists: the prefix of positions whose source is known */

static guint *
checkpoint_at (HeronMessageList *self,
               guint             c)
{
  return &g_array_index (self->checkpoints, guint, c * self->sources->len);
}

void
_heron_message_list_merged_clear (HeronMessageList *self)
{
  g_byte_array_set_size (self->order, 0);
  g_array_set_size (self->checkpoints, self->sources->len);
  memset (self->checkpoints->data, 0, sizeof (guint) * self->sources->len);
  self->have_last = FALSE;
  for (guint s = 0; s < self->sources->len; s++)
    ((Source *) g_ptr_array_index (self->sources, s))->next = 0;
}

/* Rebuilds the checkpoints and the cursors from the order (after changes were applied). */
static void
merged_reindex (HeronMessageList *self)
{
  guint n = self->sources->len;
  g_autofree guint *counts = g_new0 (guint, n);

  g_array_set_size (self->checkpoints, n);
  memset (self->checkpoints->data, 0, sizeof (guint) * n);
  for (guint p = 0; p < self->order->len; p++)
    {
      counts[self->order->data[p]]++;
      if ((p + 1) % CHECKPOINT == 0)
        g_array_append_vals (self->checkpoints, counts, n);
    }
  for (guint s = 0; s < n; s++)
    ((Source *) g_ptr_array_index (self->sources, s))->next = counts[s];
}

/* Extends the prefix until it covers @position (or every item). */
gboolean
_heron_message_list_merged_extend (HeronMessageList *self,
                                   guint             position)
{
  guint n = self->sources->len;

  while (self->order->len <= position)
    {
      const HeronStoreMessage *best = NULL;
      guint best_src = 0;
      guint8 byte;

      for (guint s = 0; s < n; s++)
        {
          Source *source = g_ptr_array_index (self->sources, s);
          const HeronStoreMessage *row;

          if (source->next >= source->count)
            continue;
          row = _heron_message_list_source_get_row (source, source->next);
          if (row == NULL)
            return FALSE;
          if (best == NULL || _heron_message_list_compare_keys (row->date, row->uid, s, best->date, best->uid, best_src) < 0)
            {
              best = row;
              best_src = s;
            }
        }
      if (best == NULL)
        return FALSE;

      byte = best_src;
      g_byte_array_append (self->order, &byte, 1);
      ((Source *) g_ptr_array_index (self->sources, best_src))->next++;
      self->have_last = TRUE;
      self->last_date = best->date;
      self->last_uid = best->uid;
      self->last_src = best_src;
      if (self->order->len % CHECKPOINT == 0)
        for (guint s = 0; s < n; s++)
          g_array_append_val (self->checkpoints, ((Source *) g_ptr_array_index (self->sources, s))->next);
    }
  return TRUE;
}

/* The source position of merged position @position (which the prefix covers). */
guint
_heron_message_list_merged_source_position (HeronMessageList *self,
                                            guint             position)
{
  guint src = self->order->data[position];
  guint c = position / CHECKPOINT;
  guint q = checkpoint_at (self, c)[src];

  for (guint p = c * CHECKPOINT; p < position; p++)
    if (self->order->data[p] == src)
      q++;
  return q;
}

/* The merged position of the item at source position @q of @src (q < its cursor). */
guint
_heron_message_list_merged_position_of (HeronMessageList *self,
                                        guint             src,
                                        guint             q)
{
  guint n_checkpoints = self->checkpoints->len / self->sources->len;
  guint lo = 0, hi = n_checkpoints;
  guint count;

  /* the last checkpoint with at most q items of src before it */
  while (hi - lo > 1)
    {
      guint mid = (lo + hi) / 2;

      if (checkpoint_at (self, mid)[src] <= q)
        lo = mid;
      else
        hi = mid;
    }
  count = checkpoint_at (self, lo)[src];
  for (guint p = lo * CHECKPOINT; p < self->order->len; p++)
    if (self->order->data[p] == src && count++ == q)
      return p;
  g_assert_not_reached ();
  return 0;
}

/* The number of items of source @t that come before an item (date, uid) of source @s. */
static guint
count_before (HeronMessageList *self,
              guint             t,
              gint64            date,
              gint64            uid,
              guint             s)
{
  Source *source = g_ptr_array_index (self->sources, t);
  guint lo = 0, hi = 1;

#define PRECEDES(p) ({ const HeronStoreMessage *r_ = _heron_message_list_source_get_row (source, (p)); \
                       r_ != NULL && _heron_message_list_compare_keys (r_->date, r_->uid, t, date, uid, s) < 0; })

  /* galloping from the top: new mail is near it */
  while (hi <= source->count && PRECEDES (hi - 1))
    {
      lo = hi;
      hi *= 2;
    }
  hi = MIN (hi, source->count);
  /* the first position in [lo, hi) that does not precede */
  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if (PRECEDES (mid))
        lo = mid + 1;
      else
        hi = mid;
    }
#undef PRECEDES
  return lo;
}

/* Merged lists: the changes of every source as hunks of the merged order, which is updated.
 * Removals are placed by the order (their old merged position), additions by counting the
 * items of the other sources that come before them. What falls below the built prefix is one
 * hunk over the tail (no one has seen those positions). */
GArray *
_heron_message_list_merged_hunks (HeronMessageList *self,
                                  Delta            *deltas,
                                  guint             n_deltas,
                                  guint             old_total)
{
  g_autoptr(GArray) removals = g_array_new (FALSE, TRUE, sizeof (Op));
  g_autoptr(GArray) additions = g_array_new (FALSE, TRUE, sizeof (Op));
  GArray *hunks;
  gboolean tail = FALSE;
  guint old_len = self->order->len;
  guint new_total;

  g_array_set_clear_func (removals, _heron_message_list_op_clear);
  g_array_set_clear_func (additions, _heron_message_list_op_clear);

  /* removals: in the old order (the sources' snapshots are the new ones already; their cursors
   * still count the old prefix) */
  for (guint d = 0; d < n_deltas; d++)
    {
      Delta *delta = &deltas[d];
      guint s;

      g_ptr_array_find (self->sources, delta->source, &s);
      for (guint i = 0; i < delta->removals->len; i++)
        {
          Op *op = &g_array_index (delta->removals, Op, i);

          if (op->pos < delta->source->next)
            {
              Op merged = { _heron_message_list_merged_position_of (self, s, op->pos), g_steal_pointer (&op->message), s };

              g_array_append_val (removals, merged);
            }
          else
            tail = TRUE;
        }
    }

  /* additions: in the new states */
  for (guint d = 0; d < n_deltas; d++)
    {
      Delta *delta = &deltas[d];
      guint s;

      g_ptr_array_find (self->sources, delta->source, &s);
      for (guint i = 0; i < delta->additions->len; i++)
        {
          Op *op = &g_array_index (delta->additions, Op, i);
          gint64 date = g_array_index (delta->added_keys, gint64, 2 * i);
          gint64 uid = g_array_index (delta->added_keys, gint64, 2 * i + 1);
          Op merged = { op->pos, NULL, s };

          if (!self->have_last ||
              _heron_message_list_compare_keys (date, uid, s, self->last_date, self->last_uid, self->last_src) > 0)
            {
              tail = TRUE;
              continue;
            }
          for (guint t = 0; t < self->sources->len; t++)
            if (t != s)
              merged.pos += count_before (self, t, date, uid, s);
          g_array_append_val (additions, merged);
        }
    }

  /* the new order: removals from the bottom, then additions from the top */
  g_array_sort (removals, _heron_message_list_op_compare);
  for (guint i = removals->len; i > 0; i--)
    g_byte_array_remove_index (self->order, g_array_index (removals, Op, i - 1).pos);
  g_array_sort (additions, _heron_message_list_op_compare);
  for (guint i = 0; i < additions->len; i++)
    {
      const Op *op = &g_array_index (additions, Op, i);
      guint8 byte = op->src;

      g_byte_array_set_size (self->order, self->order->len + 1);
      memmove (self->order->data + op->pos + 1, self->order->data + op->pos, self->order->len - 1 - op->pos);
      self->order->data[op->pos] = byte;
    }
  merged_reindex (self);

  hunks = _heron_message_list_hunks_from_ops (removals, additions);
  new_total = _heron_message_list_base_n_items (self);
  if (tail || old_total - old_len != new_total - self->order->len)
    {
      Hunk hunk = { old_len, old_total - old_len, self->order->len, new_total - self->order->len, NULL };

      if (hunk.n_removed > 0 || hunk.n_added > 0)
        g_array_append_val (hunks, hunk);
    }
  return hunks;
}

/* A batch too big to place one by one: everything from the first position that differs is
 * read again. That position is the smallest, over the sources that changed, of the old merged
 * position of their first removal and the new merged position of their newest addition: above
 * it both orders hold the same items. The order is cut there and built again as items are asked
 * for; one hunk replaces the rest. */
GArray *
_heron_message_list_merged_span (HeronMessageList *self,
                                 Delta            *deltas,
                                 guint             n_deltas,
                                 guint             old_total)
{
  GArray *hunks = _heron_message_list_hunks_new ();
  guint old_len = self->order->len;
  guint first = old_len;
  guint new_total;
  Hunk hunk = { 0, };

  for (guint d = 0; d < n_deltas; d++)
    {
      Delta *delta = &deltas[d];
      Source *source = delta->source;
      gboolean have_old, have_new;
      guint q_old = 0, q_new = 0;
      guint s;

      g_ptr_array_find (self->sources, source, &s);
      if (delta->big)
        {
          have_old = delta->span_have_old;
          q_old = delta->span_old_first;
          have_new = delta->span_have_new;
          q_new = delta->span_new_first;
        }
      else
        {
          have_old = delta->removals->len > 0;
          for (guint i = 0; i < delta->removals->len; i++)
            q_old = i == 0 ? g_array_index (delta->removals, Op, i).pos : MIN (q_old, g_array_index (delta->removals, Op, i).pos);
          have_new = delta->additions->len > 0;
          for (guint i = 0; i < delta->additions->len; i++)
            q_new = i == 0 ? g_array_index (delta->additions, Op, i).pos : MIN (q_new, g_array_index (delta->additions, Op, i).pos);
        }

      if (have_old)
        first = MIN (first, q_old < source->next ? _heron_message_list_merged_position_of (self, s, q_old) : old_len);
      if (have_new)
        {
          const HeronStoreMessage *row = _heron_message_list_source_get_row (source, q_new);
          gint64 date, uid;
          guint position = q_new;

          if (row == NULL)
            {
              first = 0;
              continue;
            }
          date = row->date;
          uid = row->uid;
          if (self->have_last && _heron_message_list_compare_keys (date, uid, s, self->last_date, self->last_uid, self->last_src) <= 0)
            {
              for (guint t = 0; t < self->sources->len; t++)
                if (t != s)
                  position += count_before (self, t, date, uid, s);
              first = MIN (first, position);
            }
        }
    }

  /* the order above the first difference stays; its last item is the prefix's new end */
  g_byte_array_set_size (self->order, first);
  merged_reindex (self);
  self->have_last = FALSE;
  if (first > 0)
    {
      guint src = self->order->data[first - 1];
      const HeronStoreMessage *row = _heron_message_list_source_get_row (g_ptr_array_index (self->sources, src),
                                                                         _heron_message_list_merged_source_position (self, first - 1));

      if (row != NULL)
        {
          self->have_last = TRUE;
          self->last_date = row->date;
          self->last_uid = row->uid;
          self->last_src = src;
        }
      else
        {
          _heron_message_list_merged_clear (self);
          first = 0;
        }
    }

  new_total = _heron_message_list_base_n_items (self);
  hunk.old_pos = hunk.new_pos = first;
  hunk.n_removed = old_total - first;
  hunk.n_added = new_total - first;
  if (hunk.n_removed > 0 || hunk.n_added > 0)
    g_array_append_val (hunks, hunk);
  return hunks;
}
