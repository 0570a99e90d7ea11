/* imap-parser-harness.h: feeding the IMAP response parser in tests
 *
 * Every helper parses its input whole, byte by byte and in random splits, and fails the test
 * unless all of them agree.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "imap/heron-imap-parser.h"

G_BEGIN_DECLS

typedef enum {
  SPLIT_WHOLE,
  SPLIT_BYTES,
  SPLIT_RANDOM,
} SplitMode;

typedef struct {
  GPtrArray *dumps;             /* heron_imap_response_to_string() of each response */
  GPtrArray *responses;         /* a reference to each response */
  GString *events;              /* body consumer calls, as text */
  GChecksum *body_sum;          /* checksum of all body bytes */
  guint64 body_bytes;
  gboolean use_consumer;
  gboolean stop_after_first;    /* the response callback fails on the first response */
  gboolean consumer_fails;
} Run;

void     run_init  (Run *run);

/* A HeronImapResponseFunc that records into the Run given as user data. */
gboolean run_on_response (HeronImapParser   *parser,
                          HeronImapResponse *response,
                          gpointer           user_data,
                          GError           **error);
void     run_clear (Run *run);

/* Feeds @len bytes of @wire as @mode says; returns FALSE with @error if the parser failed
 * (feed or finish). */
gboolean feed_wire (Run                         *run,
                    const HeronImapParserLimits *limits,
                    HeronImapParserFlags         flags,
                    const char                  *wire,
                    gsize                        len,
                    SplitMode                    mode,
                    guint32                      seed,
                    GError                     **error);

/* Parses @wire in every split mode; all must agree. Returns the dumps joined by "\n" and, when
 * the parser failed, "ERROR " and the message as the last line. */
char    *parse_all_ways (const HeronImapParserLimits *limits,
                         HeronImapParserFlags         flags,
                         const char                  *wire,
                         gssize                       len);
char    *parse1 (const char *wire);

/* Parses @wire and returns its one response (the test fails otherwise). */
HeronImapResponse *parse_one_flags (const char           *wire,
                                    HeronImapParserFlags  flags);
HeronImapResponse *parse_one       (const char           *wire);

/* Feeds @wire whole and returns the error (the test fails if there is none). */
GError  *parse_error_limits (const HeronImapParserLimits *limits,
                             const char                  *wire,
                             gssize                       len);
GError  *parse_error        (const char                  *wire);

#define assert_error_contains(error, code_, text) \
  G_STMT_START { \
    g_assert_error ((error), HERON_IMAP_ERROR, (code_)); \
    if (strstr ((error)->message, (text)) == NULL) \
      g_error ("error \"%s\" does not mention \"%s\"", (error)->message, (text)); \
  } G_STMT_END

extern const HeronImapBodyConsumer test_consumer;

G_END_DECLS
