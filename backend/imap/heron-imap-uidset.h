/* heron-imap-uidset.h: compact sets of UIDs and message sequence numbers
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* A command line should stay within about 8192 octets, not counting literals: RFC 7162 section 4
 * updates RFC 2683's 1000-octet advice to this figure because CONDSTORE/QRESYNC clients send long
 * UID sets. Dovecot accepts 64 KiB, but other servers answer BAD or drop the connection past their
 * limit, so we budget for the conservative figure everywhere. */
#define HERON_IMAP_MAX_LINE_LENGTH 8192

/* What a UID set may take of one command line: the line budget less 1 KiB for the tag, the command
 * name and the other arguments (a FETCH item list with eight header fields is about 200 octets). */
#define HERON_IMAP_UID_SET_MAX_CHARS (HERON_IMAP_MAX_LINE_LENGTH - 1024)

/* The longest single piece of a set ("4294967294:4294967295"): no split can go below it. */
#define HERON_IMAP_UID_SET_MIN_SPLIT_CHARS 21

typedef enum {
  HERON_IMAP_SET_UID,      /* unique identifiers (UID FETCH, UID STORE, ...) */
  HERON_IMAP_SET_SEQUENCE, /* message sequence numbers (FETCH, STORE, ...) */
} HeronImapSetKind;

#define HERON_IMAP_TYPE_UID_SET (heron_imap_uid_set_get_type ())

/* A set of 32-bit UIDs (or message sequence numbers) kept as sorted, disjoint, non-adjacent ranges,
 * so a million UIDs with a few holes cost a few ranges, not a million entries.
 *
 * The set may also hold "*", the largest number in use, which only the server can resolve: either
 * alone ("*") or as the open range "n:*" (every number from n up, and the largest even when it is
 * below n, RFC 3501 section 6.4.8). heron_imap_uid_set_resolve_star() turns it into numbers once the
 * largest is known. Counts, bounds and iteration cover the explicit numbers only. */
typedef struct _HeronImapUidSet HeronImapUidSet;

/* Iterates the explicit numbers or ranges of a set, in ascending order. The set must not change
 * while an iterator is in use. */
typedef struct {
  /*< private >*/
  const HeronImapUidSet *set;
  guint index;
  guint64 next;
} HeronImapUidSetIter;

GType             heron_imap_uid_set_get_type        (void) G_GNUC_CONST;

HeronImapUidSet  *heron_imap_uid_set_new             (HeronImapSetKind        kind);
HeronImapUidSet  *heron_imap_uid_set_parse           (const char             *text,
                                                      HeronImapSetKind        kind,
                                                      GError                **error);
HeronImapUidSet  *heron_imap_uid_set_copy            (const HeronImapUidSet  *set);
void              heron_imap_uid_set_free            (HeronImapUidSet        *set);

HeronImapSetKind  heron_imap_uid_set_get_kind        (const HeronImapUidSet  *set);

void              heron_imap_uid_set_add             (HeronImapUidSet        *set,
                                                      guint32                 uid);
void              heron_imap_uid_set_add_range       (HeronImapUidSet        *set,
                                                      guint32                 first,
                                                      guint32                 last);
void              heron_imap_uid_set_add_star        (HeronImapUidSet        *set);
void              heron_imap_uid_set_add_range_to_star (HeronImapUidSet      *set,
                                                      guint32                 first);
void              heron_imap_uid_set_remove          (HeronImapUidSet        *set,
                                                      guint32                 uid);
void              heron_imap_uid_set_remove_range    (HeronImapUidSet        *set,
                                                      guint32                 first,
                                                      guint32                 last);
void              heron_imap_uid_set_union           (HeronImapUidSet        *set,
                                                      const HeronImapUidSet  *other);
void              heron_imap_uid_set_resolve_star    (HeronImapUidSet        *set,
                                                      guint32                 largest);
void              heron_imap_uid_set_clear           (HeronImapUidSet        *set);

gboolean          heron_imap_uid_set_contains        (const HeronImapUidSet  *set,
                                                      guint32                 uid);
gboolean          heron_imap_uid_set_is_empty        (const HeronImapUidSet  *set);
gboolean          heron_imap_uid_set_has_star        (const HeronImapUidSet  *set);
guint64           heron_imap_uid_set_count           (const HeronImapUidSet  *set);
guint             heron_imap_uid_set_get_n_ranges    (const HeronImapUidSet  *set);
gboolean          heron_imap_uid_set_get_bounds      (const HeronImapUidSet  *set,
                                                      guint32                *first,
                                                      guint32                *last);
gboolean          heron_imap_uid_set_equal           (const HeronImapUidSet  *a,
                                                      const HeronImapUidSet  *b);

void              heron_imap_uid_set_iter_init       (HeronImapUidSetIter    *iter,
                                                      const HeronImapUidSet  *set);
gboolean          heron_imap_uid_set_iter_next       (HeronImapUidSetIter    *iter,
                                                      guint32                *uid);
gboolean          heron_imap_uid_set_iter_next_range (HeronImapUidSetIter    *iter,
                                                      guint32                *first,
                                                      guint32                *last);

char             *heron_imap_uid_set_to_string       (const HeronImapUidSet  *set);
void              heron_imap_uid_set_append_to_string (const HeronImapUidSet *set,
                                                      GString                *string);
char            **heron_imap_uid_set_split           (const HeronImapUidSet  *set,
                                                      gsize                   max_chars);
GPtrArray        *heron_imap_uid_set_split_sets      (const HeronImapUidSet  *set,
                                                      gsize                   max_chars);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronImapUidSet, heron_imap_uid_set_free)

G_END_DECLS
