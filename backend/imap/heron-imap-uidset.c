/* heron-imap-uidset.c: compact sets of UIDs and message sequence numbers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * The wire form is RFC 3501's sequence-set (section 9):
 *
 *   sequence-set = (seq-number / seq-range) *("," sequence-set)
 *   seq-range    = seq-number ":" seq-number      ; either order: 2:4 is 4:2
 *   seq-number   = nz-number / "*"                ; "*" is the largest number in use
 *   nz-number    = digit-nz *DIGIT                ; 0 < n < 4,294,967,296
 *
 * We keep the explicit numbers as sorted, disjoint ranges that never touch (adjacent ranges are
 * merged), so formatting gives the shortest form and a set costs memory per hole, not per UID.
 */

#include "config.h"

#include <stdlib.h>
#include <string.h>

#include "heron-imap-error.h"
#include "heron-imap-uidset.h"

typedef struct {
  guint32 first;
  guint32 last;
} Range;

struct _HeronImapUidSet {
  HeronImapSetKind kind;
  GArray *ranges;      /* of Range: sorted, disjoint, non-adjacent */
  gboolean has_star;
  guint32 star_from;   /* with has_star: 0 for a bare "*", else the open range "star_from:*" */
};

/* With an open range "n:*", every explicit range ends below n - 1: anything that reaches the open
 * range is folded into it. */

G_DEFINE_BOXED_TYPE (HeronImapUidSet, heron_imap_uid_set, heron_imap_uid_set_copy, heron_imap_uid_set_free)

#define RANGE(set, i) (g_array_index ((set)->ranges, Range, (i)))

HeronImapUidSet *
heron_imap_uid_set_new (HeronImapSetKind kind)
{
  HeronImapUidSet *set;

  g_return_val_if_fail (kind == HERON_IMAP_SET_UID || kind == HERON_IMAP_SET_SEQUENCE, NULL);

  set = g_new0 (HeronImapUidSet, 1);
  set->kind = kind;
  set->ranges = g_array_new (FALSE, FALSE, sizeof (Range));

  return set;
}

HeronImapUidSet *
heron_imap_uid_set_copy (const HeronImapUidSet *set)
{
  HeronImapUidSet *copy;

  g_return_val_if_fail (set != NULL, NULL);

  copy = g_new0 (HeronImapUidSet, 1);
  copy->kind = set->kind;
  copy->ranges = g_array_copy (set->ranges);
  copy->has_star = set->has_star;
  copy->star_from = set->star_from;

  return copy;
}

void
heron_imap_uid_set_free (HeronImapUidSet *set)
{
  if (set == NULL)
    return;

  g_array_unref (set->ranges);
  g_free (set);
}

HeronImapSetKind
heron_imap_uid_set_get_kind (const HeronImapUidSet *set)
{
  g_return_val_if_fail (set != NULL, HERON_IMAP_SET_UID);

  return set->kind;
}

/* Folds explicit ranges that reach the open range "star_from:*" into it. */
static void
absorb_into_star (HeronImapUidSet *set)
{
  if (!set->has_star || set->star_from == 0)
    return;

  while (set->ranges->len > 0)
    {
      const Range *tail = &RANGE (set, set->ranges->len - 1);

      if ((guint64) tail->last + 1 < set->star_from)
        break;

      set->star_from = MIN (set->star_from, tail->first);
      g_array_set_size (set->ranges, set->ranges->len - 1);
    }
}

/* The index of the first range that ends at or after value - 1 (that is, the first range value
 * could touch), or the number of ranges if there is none. */
static guint
find_touching (const HeronImapUidSet *set,
               guint64                value)
{
  guint lo = 0;
  guint hi = set->ranges->len;

  while (lo < hi)
    {
      guint mid = lo + (hi - lo) / 2;

      if ((guint64) RANGE (set, mid).last + 1 < value)
        lo = mid + 1;
      else
        hi = mid;
    }

  return lo;
}

static void
insert_range (HeronImapUidSet *set,
              guint32          first,
              guint32          last)
{
  guint n = set->ranges->len;
  guint lo, hi;
  Range range = { first, last };

  g_assert (first > 0 && first <= last);

  /* Ascending additions, the common case when a set is built from the cache, cost O(1). */
  if (n == 0 || (guint64) RANGE (set, n - 1).last + 1 < first)
    {
      g_array_append_val (set->ranges, range);
      return;
    }

  lo = find_touching (set, first);
  g_assert (lo < n);

  if ((guint64) last + 1 < RANGE (set, lo).first)
    {
      g_array_insert_val (set->ranges, lo, range);
      return;
    }

  /* The last range that starts at or before last + 1. */
  {
    guint a = lo;
    guint b = n;

    while (a < b)
      {
        guint mid = a + (b - a) / 2;

        if (RANGE (set, mid).first <= (guint64) last + 1)
          a = mid + 1;
        else
          b = mid;
      }
    hi = a - 1;
  }

  range.first = MIN (first, RANGE (set, lo).first);
  range.last = MAX (last, RANGE (set, hi).last);
  RANGE (set, lo) = range;
  if (hi > lo)
    g_array_remove_range (set->ranges, lo + 1, hi - lo);
}

void
heron_imap_uid_set_add (HeronImapUidSet *set,
                        guint32          uid)
{
  heron_imap_uid_set_add_range (set, uid, uid);
}

void
heron_imap_uid_set_add_range (HeronImapUidSet *set,
                              guint32          first,
                              guint32          last)
{
  g_return_if_fail (set != NULL);
  g_return_if_fail (first > 0 && last > 0);

  /* As on the wire, a range means the same in either order. */
  if (first > last)
    {
      guint32 tmp = first;

      first = last;
      last = tmp;
    }

  insert_range (set, first, last);
  absorb_into_star (set);
}

void
heron_imap_uid_set_add_star (HeronImapUidSet *set)
{
  g_return_if_fail (set != NULL);

  set->has_star = TRUE;
}

void
heron_imap_uid_set_add_range_to_star (HeronImapUidSet *set,
                                      guint32          first)
{
  g_return_if_fail (set != NULL);
  g_return_if_fail (first > 0);

  if (!set->has_star || set->star_from == 0)
    set->star_from = first;
  else
    set->star_from = MIN (set->star_from, first);
  set->has_star = TRUE;

  absorb_into_star (set);
}

void
heron_imap_uid_set_remove (HeronImapUidSet *set,
                           guint32          uid)
{
  heron_imap_uid_set_remove_range (set, uid, uid);
}

void
heron_imap_uid_set_remove_range (HeronImapUidSet *set,
                                 guint32          first,
                                 guint32          last)
{
  guint i, j, n;

  g_return_if_fail (set != NULL);
  g_return_if_fail (first > 0 && last > 0);

  if (first > last)
    {
      guint32 tmp = first;

      first = last;
      last = tmp;
    }

  n = set->ranges->len;

  /* The first range that ends at or after first. */
  i = find_touching (set, (guint64) first + 1);

  if (i < n && RANGE (set, i).first < first)
    {
      if (RANGE (set, i).last > last)
        {
          /* The removal splits one range in two. */
          Range tail = { last + 1, RANGE (set, i).last };

          RANGE (set, i).last = first - 1;
          g_array_insert_val (set->ranges, i + 1, tail);
          goto star;
        }

      RANGE (set, i).last = first - 1;
      i++;
    }

  for (j = i; j < n && RANGE (set, j).last <= last; j++)
    ;
  if (j > i)
    g_array_remove_range (set->ranges, i, j - i);

  if (i < set->ranges->len && RANGE (set, i).first <= last)
    RANGE (set, i).first = last + 1;

star:
  /* Removing from an open range "n:*" keeps what lies below the removal explicit and moves n past
   * it; the open range still stands for the largest number, as the wire form does. */
  if (set->has_star && set->star_from > 0 && last >= set->star_from)
    {
      if (first > set->star_from)
        {
          Range below = { set->star_from, first - 1 };

          g_array_append_val (set->ranges, below);
        }

      if (last == G_MAXUINT32)
        {
          set->has_star = FALSE;
          set->star_from = 0;
        }
      else
        {
          set->star_from = last + 1;
        }
    }
}

void
heron_imap_uid_set_union (HeronImapUidSet       *set,
                          const HeronImapUidSet *other)
{
  GArray *merged;
  guint i = 0, j = 0;

  g_return_if_fail (set != NULL);
  g_return_if_fail (other != NULL);
  g_return_if_fail (set->kind == other->kind);

  if (set == other)
    return;

  /* A few ranges go in one by one: adding a chunk at the end of a large set is then O(1) instead
   * of a copy of the whole set. */
  if (other->ranges->len <= 8 || other->ranges->len < set->ranges->len / 64)
    {
      for (i = 0; i < other->ranges->len; i++)
        insert_range (set, RANGE (other, i).first, RANGE (other, i).last);
      goto star;
    }

  /* Otherwise a linear merge of the two sorted arrays, coalescing as it goes. */
  merged = g_array_sized_new (FALSE, FALSE, sizeof (Range), set->ranges->len + other->ranges->len);

  while (i < set->ranges->len || j < other->ranges->len)
    {
      Range next;

      if (j >= other->ranges->len ||
          (i < set->ranges->len && RANGE (set, i).first <= RANGE (other, j).first))
        next = RANGE (set, i++);
      else
        next = RANGE (other, j++);

      if (merged->len > 0)
        {
          Range *tail = &g_array_index (merged, Range, merged->len - 1);

          if ((guint64) tail->last + 1 >= next.first)
            {
              tail->last = MAX (tail->last, next.last);
              continue;
            }
        }

      g_array_append_val (merged, next);
    }

  g_array_unref (set->ranges);
  set->ranges = merged;

star:
  if (other->has_star)
    {
      if (!set->has_star || set->star_from == 0)
        set->star_from = other->star_from;
      else if (other->star_from != 0)
        set->star_from = MIN (set->star_from, other->star_from);
      set->has_star = TRUE;
    }

  absorb_into_star (set);
}

void
heron_imap_uid_set_resolve_star (HeronImapUidSet *set,
                                 guint32          largest)
{
  guint32 star_from;

  g_return_if_fail (set != NULL);

  if (!set->has_star)
    return;

  star_from = set->star_from;
  set->has_star = FALSE;
  set->star_from = 0;

  /* In an empty mailbox "*" names nothing we could list. */
  if (largest == 0)
    return;

  /* "n:*" with n above the largest still names the largest (RFC 3501 section 6.4.8). */
  if (star_from == 0 || star_from > largest)
    heron_imap_uid_set_add (set, largest);
  else
    heron_imap_uid_set_add_range (set, star_from, largest);
}

void
heron_imap_uid_set_clear (HeronImapUidSet *set)
{
  g_return_if_fail (set != NULL);

  g_array_set_size (set->ranges, 0);
  set->has_star = FALSE;
  set->star_from = 0;
}

gboolean
heron_imap_uid_set_contains (const HeronImapUidSet *set,
                             guint32                uid)
{
  guint i;

  g_return_val_if_fail (set != NULL, FALSE);

  if (uid == 0)
    return FALSE;

  if (set->has_star && set->star_from > 0 && uid >= set->star_from)
    return TRUE;

  i = find_touching (set, (guint64) uid + 1);

  return i < set->ranges->len && RANGE (set, i).first <= uid;
}

gboolean
heron_imap_uid_set_is_empty (const HeronImapUidSet *set)
{
  g_return_val_if_fail (set != NULL, TRUE);

  return set->ranges->len == 0 && !set->has_star;
}

gboolean
heron_imap_uid_set_has_star (const HeronImapUidSet *set)
{
  g_return_val_if_fail (set != NULL, FALSE);

  return set->has_star;
}

guint64
heron_imap_uid_set_count (const HeronImapUidSet *set)
{
  guint64 count = 0;

  g_return_val_if_fail (set != NULL, 0);

  for (guint i = 0; i < set->ranges->len; i++)
    count += (guint64) RANGE (set, i).last - RANGE (set, i).first + 1;

  return count;
}

guint
heron_imap_uid_set_get_n_ranges (const HeronImapUidSet *set)
{
  g_return_val_if_fail (set != NULL, 0);

  return set->ranges->len;
}

gboolean
heron_imap_uid_set_get_bounds (const HeronImapUidSet *set,
                               guint32               *first,
                               guint32               *last)
{
  g_return_val_if_fail (set != NULL, FALSE);

  if (set->ranges->len == 0)
    return FALSE;

  if (first != NULL)
    *first = RANGE (set, 0).first;
  if (last != NULL)
    *last = RANGE (set, set->ranges->len - 1).last;

  return TRUE;
}

gboolean
heron_imap_uid_set_equal (const HeronImapUidSet *a,
                          const HeronImapUidSet *b)
{
  g_return_val_if_fail (a != NULL, FALSE);
  g_return_val_if_fail (b != NULL, FALSE);

  return a->kind == b->kind &&
         a->has_star == b->has_star &&
         a->star_from == b->star_from &&
         a->ranges->len == b->ranges->len &&
         (a->ranges->len == 0 ||
          memcmp (a->ranges->data, b->ranges->data, a->ranges->len * sizeof (Range)) == 0);
}

void
heron_imap_uid_set_iter_init (HeronImapUidSetIter   *iter,
                              const HeronImapUidSet *set)
{
  g_return_if_fail (iter != NULL);
  g_return_if_fail (set != NULL);

  iter->set = set;
  iter->index = 0;
  iter->next = 0;
}

gboolean
heron_imap_uid_set_iter_next (HeronImapUidSetIter *iter,
                              guint32             *uid)
{
  g_return_val_if_fail (iter != NULL && iter->set != NULL, FALSE);

  while (iter->index < iter->set->ranges->len)
    {
      const Range *range = &RANGE (iter->set, iter->index);

      if (iter->next < range->first)
        iter->next = range->first;

      if (iter->next <= range->last)
        {
          if (uid != NULL)
            *uid = (guint32) iter->next;
          iter->next++;
          return TRUE;
        }

      iter->index++;
    }

  return FALSE;
}

gboolean
heron_imap_uid_set_iter_next_range (HeronImapUidSetIter *iter,
                                    guint32             *first,
                                    guint32             *last)
{
  g_return_val_if_fail (iter != NULL && iter->set != NULL, FALSE);

  while (iter->index < iter->set->ranges->len)
    {
      const Range *range = &RANGE (iter->set, iter->index);

      iter->index++;

      /* What heron_imap_uid_set_iter_next() has not handed out of this range yet. */
      if (iter->next > range->last)
        continue;

      if (first != NULL)
        *first = (guint32) MAX (iter->next, range->first);
      if (last != NULL)
        *last = range->last;
      iter->next = (guint64) range->last + 1;
      return TRUE;
    }

  return FALSE;
}

/* Parsing */

static gboolean
parse_number (const char  *text,
              const char **p,
              guint32     *value,
              gboolean    *star,
              GError     **error)
{
  const char *s = *p;
  guint64 n = 0;

  *star = FALSE;
  *value = 0;

  if (*s == '*')
    {
      *star = TRUE;
      *p = s + 1;
      return TRUE;
    }

  /* nz-number: no zero, and no leading zeros. */
  if (*s < '1' || *s > '9')
    {
      g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PARSE,
                   "Invalid sequence set: expected a non-zero number or '*' at offset %u",
                   (guint) (s - text));
      return FALSE;
    }

  while (*s >= '0' && *s <= '9')
    {
      n = n * 10 + (guint64) (*s - '0');
      if (n > G_MAXUINT32)
        {
          g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PARSE,
                       "Invalid sequence set: number at offset %u does not fit 32 bits",
                       (guint) (*p - text));
          return FALSE;
        }
      s++;
    }

  *value = (guint32) n;
  *p = s;
  return TRUE;
}

static int
compare_ranges (gconstpointer a,
                gconstpointer b)
{
  const Range *ra = a;
  const Range *rb = b;

  if (ra->first != rb->first)
    return ra->first < rb->first ? -1 : 1;
  if (ra->last != rb->last)
    return ra->last < rb->last ? -1 : 1;
  return 0;
}

HeronImapUidSet *
heron_imap_uid_set_parse (const char       *text,
                          HeronImapSetKind  kind,
                          GError          **error)
{
  g_autoptr(HeronImapUidSet) set = NULL;
  g_autoptr(GArray) pieces = NULL;
  const char *p;
  gboolean bare_star = FALSE;
  guint32 star_from = 0;

  g_return_val_if_fail (text != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (*text == '\0')
    {
      g_set_error_literal (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PARSE,
                           "Invalid sequence set: empty");
      return NULL;
    }

  set = heron_imap_uid_set_new (kind);
  pieces = g_array_new (FALSE, FALSE, sizeof (Range));

  p = text;
  for (;;)
    {
      guint32 a, b;
      gboolean a_star, b_star;

      if (!parse_number (text, &p, &a, &a_star, error))
        return NULL;

      if (*p == ':')
        {
          p++;
          if (!parse_number (text, &p, &b, &b_star, error))
            return NULL;

          if (a_star && b_star)
            bare_star = TRUE;
          else if (a_star || b_star)
            {
              guint32 from = a_star ? b : a;

              star_from = star_from == 0 ? from : MIN (star_from, from);
            }
          else
            {
              Range range = { MIN (a, b), MAX (a, b) };

              g_array_append_val (pieces, range);
            }
        }
      else if (a_star)
        {
          bare_star = TRUE;
        }
      else
        {
          Range range = { a, a };

          g_array_append_val (pieces, range);
        }

      if (*p == '\0')
        break;

      if (*p != ',')
        {
          g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_PARSE,
                       "Invalid sequence set: unexpected character at offset %u",
                       (guint) (p - text));
          return NULL;
        }
      p++;
    }

  /* Servers send sets in any order; sorting first keeps parsing O(n log n). */
  g_array_sort (pieces, compare_ranges);
  for (guint i = 0; i < pieces->len; i++)
    {
      const Range *piece = &g_array_index (pieces, Range, i);

      if (set->ranges->len > 0)
        {
          Range *tail = &RANGE (set, set->ranges->len - 1);

          if ((guint64) tail->last + 1 >= piece->first)
            {
              tail->last = MAX (tail->last, piece->last);
              continue;
            }
        }

      g_array_append_val (set->ranges, *piece);
    }

  if (bare_star || star_from != 0)
    {
      set->has_star = TRUE;
      set->star_from = star_from;
      absorb_into_star (set);
    }

  return g_steal_pointer (&set);
}

/* Formatting */

/* Writes the decimal digits of value ending just before end; returns where they start. */
static char *
format_u32 (char    *end,
            guint32  value)
{
  char *p = end;

  do
    {
      *--p = (char) ('0' + value % 10);
      value /= 10;
    }
  while (value != 0);

  return p;
}

/* Writes one piece ("7", "1:5", "9:*", "*") into buf, which holds at least 24 bytes, and returns
 * its length. Pieces are built from the end of the buffer backwards. */
static gsize
format_piece (char     buf[24],
              guint32  first,
              guint32  last,
              gboolean star)
{
  char *end = buf + 24;
  char *p = end;

  if (star)
    {
      *--p = '*';
      if (first != 0)
        {
          *--p = ':';
          p = format_u32 (p, first);
        }
    }
  else
    {
      p = format_u32 (p, last);
      if (first != last)
        {
          *--p = ':';
          p = format_u32 (p, first);
        }
    }

  memmove (buf, p, (gsize) (end - p));
  return (gsize) (end - p);
}

void
heron_imap_uid_set_append_to_string (const HeronImapUidSet *set,
                                     GString               *string)
{
  char buf[24];

  g_return_if_fail (set != NULL);
  g_return_if_fail (string != NULL);

  for (guint i = 0; i < set->ranges->len; i++)
    {
      gsize len = format_piece (buf, RANGE (set, i).first, RANGE (set, i).last, FALSE);

      if (i > 0)
        g_string_append_c (string, ',');
      g_string_append_len (string, buf, (gssize) len);
    }

  if (set->has_star)
    {
      gsize len = format_piece (buf, set->star_from, 0, TRUE);

      if (set->ranges->len > 0)
        g_string_append_c (string, ',');
      g_string_append_len (string, buf, (gssize) len);
    }
}

char *
heron_imap_uid_set_to_string (const HeronImapUidSet *set)
{
  GString *string;

  g_return_val_if_fail (set != NULL, NULL);

  /* Most pieces of a large set are a few digits; this avoids most reallocations. */
  string = g_string_sized_new (16 + set->ranges->len * 12);
  heron_imap_uid_set_append_to_string (set, string);

  return g_string_free (string, FALSE);
}

/* Splitting */

static gsize
digits (guint32 value)
{
  gsize n = 1;

  while (value >= 10)
    {
      value /= 10;
      n++;
    }

  return n;
}

/* Each chunk is a valid set of at most max_chars characters; together they make the set. Pieces
 * are never cut, so the chunks are the shortest wire forms of their parts. */
GPtrArray *
heron_imap_uid_set_split_sets (const HeronImapUidSet *set,
                               gsize                  max_chars)
{
  GPtrArray *chunks;
  HeronImapUidSet *chunk = NULL;
  gsize used = 0;

  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (max_chars >= HERON_IMAP_UID_SET_MIN_SPLIT_CHARS, NULL);

  chunks = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_uid_set_free);

  for (guint i = 0; i <= set->ranges->len; i++)
    {
      gsize piece;

      if (i < set->ranges->len)
        {
          const Range *range = &RANGE (set, i);

          piece = digits (range->first);
          if (range->first != range->last)
            piece += 1 + digits (range->last);
        }
      else if (set->has_star)
        {
          piece = set->star_from == 0 ? 1 : digits (set->star_from) + 2;
        }
      else
        {
          break;
        }

      if (chunk != NULL && used + 1 + piece > max_chars)
        chunk = NULL;

      if (chunk == NULL)
        {
          chunk = heron_imap_uid_set_new (set->kind);
          g_ptr_array_add (chunks, chunk);
          used = piece;
        }
      else
        {
          used += 1 + piece;
        }

      /* A run of the normalised set is itself normalised, so the ranges go in as they are. */
      if (i < set->ranges->len)
        {
          g_array_append_val (chunk->ranges, RANGE (set, i));
        }
      else
        {
          chunk->has_star = TRUE;
          chunk->star_from = set->star_from;
        }
    }

  return chunks;
}

char **
heron_imap_uid_set_split (const HeronImapUidSet *set,
                          gsize                  max_chars)
{
  g_autoptr(GPtrArray) sets = NULL;
  GPtrArray *strings;

  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (max_chars >= HERON_IMAP_UID_SET_MIN_SPLIT_CHARS, NULL);

  sets = heron_imap_uid_set_split_sets (set, max_chars);
  strings = g_ptr_array_new_full (sets->len + 1, g_free);

  for (guint i = 0; i < sets->len; i++)
    g_ptr_array_add (strings, heron_imap_uid_set_to_string (g_ptr_array_index (sets, i)));
  g_ptr_array_add (strings, NULL);

  return (char **) g_ptr_array_free (strings, FALSE);
}
