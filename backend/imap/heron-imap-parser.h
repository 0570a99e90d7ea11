/* heron-imap-parser.h: a streaming parser for IMAP server responses
 *
 * The parser is pushed bytes as they come off the connection, in chunks of any size and with any
 * boundaries, and delivers each complete response to a callback as a typed HeronImapResponse
 * (heron-imap-response.h). It covers the response grammar of IMAP4rev1 (RFC 3501) and IMAP4rev2
 * (RFC 9051) with CONDSTORE/QRESYNC (RFC 7162), IDLE (RFC 2177), UIDPLUS (RFC 4315), SPECIAL-USE
 * (RFC 6154), NAMESPACE (RFC 2342), ID (RFC 2971), ENABLE (RFC 5161), ESEARCH (RFC 4731),
 * QUOTA (RFC 2087, RFC 9208), OBJECTID (RFC 8474), PREVIEW (RFC 8970), BINARY (RFC 3516) and
 * COMPRESS (RFC 4978) response codes, LIST-EXTENDED (RFC 5258) and UTF8=ACCEPT (RFC 6855).
 *
 * Body sections are streamed. The content of BODY[...], BINARY[...] and RFC822[.HEADER|.TEXT]
 * items goes to a HeronImapBodyConsumer as it arrives (begin / chunk... / end), straight from the
 * buffer given to heron_imap_parser_feed(), so a 100 MB message never sits in memory. Without a
 * consumer it is collected into a GBytes on the response. Every other literal (a subject sent as a
 * literal, a mailbox name) is small and is bounded by its own, smaller limit.
 *
 * The parser never trusts the server. A response that is malformed or passes a limit makes
 * heron_imap_parser_feed() fail with a HERON_IMAP_ERROR that says what was wrong and where; the
 * parser then refuses further input, and the connection that fed it must be dropped. It does not
 * recurse without a bound, and it never waits for input it cannot get: a literal announced longer
 * than what arrives simply waits for more data, and heron_imap_parser_finish() reports a stream
 * that ended in the middle of a response.
 *
 * Decisions:
 * - Lines must end in CRLF. A bare LF, or a CR not followed by LF, is a parse error: all real
 *   servers send CRLF, and tolerating LF would let a literal's length disagree with what the
 *   server meant.
 * - NUL is an error everywhere except inside a literal8 (BINARY) and a body section literal:
 *   a message with NUL bytes is data, and must stay fetchable.
 * - 8-bit bytes are an error in atoms, tags and numbers. In quoted strings they are accepted: in
 *   UTF-8 mode they must be valid UTF-8 (RFC 9051, RFC 6855); in IMAP4rev1 mode they are kept as
 *   bytes, because real IMAP4rev1 servers send raw 8-bit header text in ENVELOPE.
 * - Extra spaces between tokens are tolerated (RFC 9051 section 6.3.9.8 itself has one).
 * - Unknown untagged responses are kept as raw text (HERON_IMAP_RESPONSE_UNKNOWN); a "{n}" at
 *   the end of one of their lines is taken as a literal, bounded like any small literal.
 * - Numbers are checked against their type: message numbers, UIDs and counts are 32-bit,
 *   mod-sequences and sizes 63-bit (RFC 9051 number64). A value that does not fit is an error,
 *   never truncated; so is "*" or 0 in a sequence set sent by the server.
 *
 * Threading: a parser belongs to one thread; the responses it delivers are immutable and may be
 * passed to other threads.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <glib.h>

#include "heron-imap-error.h"
#include "heron-imap-response.h"

G_BEGIN_DECLS

/* Bounds on what one response may hold; heron_imap_parser_limits_init() sets the defaults below.
 * A response past any of them fails the parser with HERON_IMAP_ERROR_LIMIT. Why these values:
 *
 * max_line_length, 1 MiB: one line, from the start of a response or the end of a literal up to
 *   the next CRLF. Servers send ENVELOPE strings quoted, so a message with a few thousand visible
 *   recipients makes a FETCH line of several hundred KiB; 1 MiB leaves room and still bounds what
 *   a server that never sends CRLF can make us buffer.
 * max_response_size, 16 MiB: all lines and small literals of one response together. The lines of
 *   SEARCH, SORT, ESEARCH and VANISHED grow with the mailbox (SEARCH ALL costs up to 11 bytes a
 *   message), so they are exempt from max_line_length and bounded by this alone: 16 MiB is a
 *   SEARCH of a 1.5 million message folder.
 * max_literal_size, 1 MiB: one literal that is not a body section (a subject or a mailbox name
 *   sent as a literal). Real ones are a few hundred bytes.
 * max_body_size, 100 MiB: one body section (BODY[...], BINARY[...], RFC822...). Streamed to the
 *   body consumer, so memory does not grow with it; the bound only stops a server from sending
 *   gigabytes the consumer (the cache on disk) would have to store. Providers cap messages at
 *   25-50 MB (encoded), so 100 MiB covers every message a user can receive.
 * max_depth, 100: parenthesis nesting. BODYSTRUCTURE nests two levels per message/rfc822 level
 *   and one per multipart; real mail rarely passes 20. The parse stage recurses once per level,
 *   so this also bounds the stack. Values above 1000 are clamped.
 * max_items, 1,000,000: tokens (atoms, strings, parentheses) in one response, and numbers in one
 *   SEARCH. The largest legitimate case is SEARCH over a million-message folder (clients should
 *   prefer ESEARCH, whose ranges stay small); each token costs 16 bytes while a response is
 *   parsed, so this bounds that memory to 16 MiB. */
typedef struct {
  gsize max_line_length;
  gsize max_response_size;
  gsize max_literal_size;
  guint64 max_body_size;
  guint max_depth;
  guint max_items;
} HeronImapParserLimits;

void heron_imap_parser_limits_init (HeronImapParserLimits *limits);

typedef enum {
  HERON_IMAP_PARSER_FLAGS_NONE      = 0,
  /* UTF8=ACCEPT is enabled (RFC 6855): mailbox names are UTF-8, not modified UTF-7, and 8-bit
   * quoted strings must be valid UTF-8. The parser sets this itself when it sees an ENABLED
   * response listing UTF8=ACCEPT or IMAP4rev2. */
  HERON_IMAP_PARSER_FLAGS_UTF8      = 1 << 0,
  /* IMAP4rev2 is enabled (RFC 9051): implies UTF8. RECENT and SEARCH are still parsed (servers
   * that speak both revisions may send them), so the session layer decides what to make of them. */
  HERON_IMAP_PARSER_FLAGS_IMAP4REV2 = 1 << 1,
} HeronImapParserFlags;

typedef struct _HeronImapParser HeronImapParser;

/* Called for each complete response, in order, from inside heron_imap_parser_feed(). The
 * response is valid until the callback returns; keep it with heron_imap_response_ref(). Return
 * FALSE (and set @error) to stop the parser: heron_imap_parser_feed() then fails with @error.
 * The callback may change the parser's flags (they apply from the next response) but must not
 * feed, reset or free the parser. */
typedef gboolean (*HeronImapResponseFunc) (HeronImapParser   *parser,
                                           HeronImapResponse *response,
                                           gpointer           user_data,
                                           GError           **error);

/* Describes a body section when its content starts. Pointers are valid until end() returns. */
typedef struct {
  guint32 seq;                  /* the message sequence number of the FETCH */
  guint32 uid;                  /* the UID if the FETCH gave it before this item, else 0 */
  HeronImapSectionKind kind;
  const char *section;          /* text between the brackets, "" for BODY[] and RFC822 */
  gint64 origin;                /* <origin>, or -1 */
  guint64 size;                 /* the number of octets that will follow */
  gboolean literal8;
} HeronImapBodyInfo;

/* Receives body section content as it arrives. For each section: begin() once, chunk() zero or
 * more times with consecutive pieces whose lengths add up to info->size, then end(). A section
 * sent as NIL calls nothing. The sections of a FETCH reach the consumer in wire order, all before
 * the FETCH itself reaches the response callback (whose HeronImapBodySection entries then have
 * no data). If the FETCH turns out to be malformed after a section was delivered, the parser
 * fails: drop what the consumer stored for it. A callback that returns FALSE (setting @error)
 * stops the parser. */
typedef struct {
  gboolean (*begin) (const HeronImapBodyInfo *info,
                     gpointer                 user_data,
                     GError                 **error);
  gboolean (*chunk) (const guint8            *data,
                     gsize                    len,
                     gpointer                 user_data,
                     GError                 **error);
  gboolean (*end)   (gpointer                 user_data,
                     GError                 **error);
} HeronImapBodyConsumer;

typedef struct {
  guint64 bytes;                /* bytes fed */
  guint64 responses;            /* responses delivered */
  guint64 body_bytes;           /* body section bytes delivered or collected */
  gsize buffered;               /* bytes the parser holds now (buffers it allocated) */
  gsize peak_buffered;          /* the most it ever held at once */
} HeronImapParserStats;

HeronImapParser *heron_imap_parser_new      (const HeronImapParserLimits *limits,
                                             HeronImapResponseFunc        func,
                                             gpointer                     user_data,
                                             GDestroyNotify               notify);
void             heron_imap_parser_free     (HeronImapParser             *parser);

void             heron_imap_parser_set_body_consumer (HeronImapParser             *parser,
                                                      const HeronImapBodyConsumer *consumer,
                                                      gpointer                     user_data);

void             heron_imap_parser_set_flags (HeronImapParser            *parser,
                                              HeronImapParserFlags        flags);
HeronImapParserFlags heron_imap_parser_get_flags (HeronImapParser        *parser);

/* Parses @len bytes. Returns FALSE with @error set when the input is malformed, passes a limit,
 * or a callback failed; after that every call fails with the same error until
 * heron_imap_parser_reset(). */
gboolean         heron_imap_parser_feed     (HeronImapParser             *parser,
                                             const guint8                *data,
                                             gsize                        len,
                                             GError                     **error);

/* Tells the parser the stream ended. Fails with HERON_IMAP_ERROR_CLOSED when that leaves a
 * response unfinished (e.g. "connection closed in the middle of a literal"). */
gboolean         heron_imap_parser_finish   (HeronImapParser             *parser,
                                             GError                     **error);

/* Drops any partial response and a previous error, keeping limits, flags, callbacks and stats:
 * for a new connection, or after STARTTLS (where whatever came before the handshake must be
 * discarded). A body consumer in the middle of a section gets no end(). */
void             heron_imap_parser_reset    (HeronImapParser             *parser);

/* TRUE when no response is partially received. */
gboolean         heron_imap_parser_is_idle  (HeronImapParser             *parser);

void             heron_imap_parser_get_stats (HeronImapParser            *parser,
                                              HeronImapParserStats       *stats);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronImapParser, heron_imap_parser_free)

G_END_DECLS
