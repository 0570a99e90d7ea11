/* heron-seed.h: a deterministic corpus of realistic mail messages for tests, benchmarks and
 * the demo.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

G_BEGIN_DECLS

typedef struct {
  guint64     seed;          /* same seed and index: the same message, byte for byte */
  guint       first_index;   /* index of the first message to write */
  guint       count;         /* how many messages */
  gint64      newest_date;   /* unix time of message index (first_index+count-1) or 0 for a fixed default */
  const char *owner_address; /* the mailbox owner, e.g. "alice@example.test" */
} HeronSeedSpec;

/* The owner when spec->owner_address is NULL or empty; an owner without "@" gets
 * "@example.test". The owner's address shows in the messages and in the Message-IDs of the
 * messages the owner sent. */
#define HERON_SEED_DEFAULT_OWNER "alice@example.test"

/* The date of the newest message when spec->newest_date is 0: 2024-11-14 09:30:00 UTC. */
#define HERON_SEED_DEFAULT_NEWEST_DATE G_GINT64_CONSTANT (1731576600)

/* Writes the messages as files into the Maildir folder `maildir` (which has or gets cur/ new/ tmp/),
 * named so that Dovecot assigns UIDs in date order, with Maildir flags (:2,S etc.) in the names. */
gboolean heron_seed_write_maildir (const char *maildir, const HeronSeedSpec *spec, GError **error);
/* One message of the corpus, for tests that deliver it or compare with it. */
GBytes  *heron_seed_generate (const HeronSeedSpec *spec, guint index, gint64 *out_date, char **out_flags);

/* Writes only the messages first .. first+count-1 of the corpus that `spec` describes, so that
 * several threads or processes can each write a chunk of one corpus: the bytes, dates and flags
 * are those heron_seed_write_maildir() would write for the same indexes. Adds the number of
 * bytes written to *out_bytes when it is not NULL. Thread-safe. */
gboolean heron_seed_write_maildir_range (const char          *maildir,
                                         const HeronSeedSpec *spec,
                                         guint                first,
                                         guint                count,
                                         guint64             *out_bytes,
                                         GError             **error);

/* The delivery time (unix seconds) of message `index`; the Date header shows the same instant. */
gint64   heron_seed_date (const HeronSeedSpec *spec, guint index);

/* The Message-ID of message `index`, without angle brackets. It depends only on the seed, the
 * index and the owner address. */
char    *heron_seed_message_id (const HeronSeedSpec *spec, guint index);

G_END_DECLS
