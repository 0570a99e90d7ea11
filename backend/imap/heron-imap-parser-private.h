/* heron-imap-parser-private.h: what the parser's files share (not for use outside backend/imap)
 *
 * The parser works in two stages. The framing stage (heron-imap-parser.c) cuts the byte stream
 * into line segments and literals and copies one response's text into a buffer; the tokenizer
 * (heron-imap-tokenizer.c) turns each complete line segment into tokens, decides which literals
 * are body sections to stream, and enforces depth and item limits. When a response is complete,
 * the parse stage (heron-imap-parse.c, heron-imap-fetch.c) walks its tokens once and builds the
 * typed HeronImapResponse in the response's arena.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <string.h>

#include "heron-imap-parser.h"

G_BEGIN_DECLS

/* ---- Response arena ---------------------------------------------------------------------- */

typedef struct _HeronImapArenaBlock HeronImapArenaBlock;

struct _HeronImapArenaBlock {
  HeronImapArenaBlock *next;
  gsize size;
};

typedef struct _HeronImapCleanup HeronImapCleanup;

struct _HeronImapCleanup {
  HeronImapCleanup *next;
  GBytes *bytes;
};

/* The allocation behind a HeronImapResponse: the public struct, then the arena bookkeeping, then
 * the first arena block, all in one malloc. */
typedef struct {
  HeronImapResponse response;
  gint ref_count;
  char *cur;
  char *end;
  HeronImapArenaBlock *blocks;      /* extra blocks, newest first */
  HeronImapCleanup *cleanups;
  char *first;
  gsize first_size;
} HeronImapResponseReal;

#define HERON_IMAP_ARENA_FIRST_BLOCK (16 * 1024)

HeronImapResponse *_heron_imap_response_new     (void);
/* Empties a response whose only reference is the parser's, for reuse. */
void               _heron_imap_response_recycle (HeronImapResponse *response);
gpointer           _heron_imap_response_alloc_slow (HeronImapResponseReal *real,
                                                    gsize                  size);
void               _heron_imap_response_own_bytes  (HeronImapResponse     *response,
                                                    GBytes                *bytes);

static inline gint
_heron_imap_response_get_ref_count (HeronImapResponse *response)
{
  return g_atomic_int_get (&((HeronImapResponseReal *) response)->ref_count);
}

/* Allocates @size bytes, 8-byte aligned, zeroed. */
static inline gpointer
_heron_imap_response_alloc (HeronImapResponse *response,
                            gsize              size)
{
  HeronImapResponseReal *real = (HeronImapResponseReal *) response;
  gsize rounded = (size + 7) & ~(gsize) 7;

  if (G_LIKELY ((gsize) (real->end - real->cur) >= rounded))
    {
      char *p = real->cur;
      real->cur += rounded;
      memset (p, 0, rounded);
      return p;
    }
  return _heron_imap_response_alloc_slow (real, rounded);
}

/* Copies @len bytes and a NUL. */
static inline char *
_heron_imap_response_strndup (HeronImapResponse *response,
                              const char        *str,
                              gsize              len)
{
  HeronImapResponseReal *real = (HeronImapResponseReal *) response;
  gsize rounded = (len + 8) & ~(gsize) 7;
  char *p;

  if (G_LIKELY ((gsize) (real->end - real->cur) >= rounded))
    {
      p = real->cur;
      real->cur += rounded;
    }
  else
    p = _heron_imap_response_alloc_slow (real, rounded);
  memcpy (p, str, len);
  p[len] = '\0';
  return p;
}

/* ---- Tokens ------------------------------------------------------------------------------- */

typedef enum {
  TOK_ATOM,         /* an atom, number, flag ("\Seen") or FETCH item name ("BODY[1]<0>") */
  TOK_QUOTED,       /* off/len: the text between the quotes, escapes still in */
  TOK_LITERAL,      /* off/len: the literal's bytes, copied into the response buffer */
  TOK_BODY,         /* a body section value; aux: index in parser->sections */
  TOK_LPAREN,       /* aux: index of the matching TOK_RPAREN */
  TOK_RPAREN,
} TokenType;

typedef enum {
  TOKF_DIGITS    = 1 << 0, /* atom of digits only */
  TOKF_NIL       = 1 << 1, /* atom "NIL", any case */
  TOKF_ESCAPED   = 1 << 2, /* quoted string with backslash escapes */
  TOKF_EIGHTBIT  = 1 << 3, /* string with 8-bit bytes */
  TOKF_BACKSLASH = 1 << 4, /* atom starting with "\" */
} TokenFlags;

typedef struct {
  guint32 off;
  guint32 len;
  guint32 aux;
  guint8 type;
  guint8 flags;
} Token;

/* ---- The parser -------------------------------------------------------------------------- */

typedef enum {
  SHAPE_NONE,       /* no response started */
  SHAPE_CONTINUATION,
  SHAPE_STATUS,     /* tag or "*", then OK/NO/BAD/BYE/PREAUTH and resp-text */
  SHAPE_TOKENS,     /* "* [n] NAME" then tokens */
  SHAPE_SEARCH,     /* "* SEARCH" numbers, parsed straight from the line */
  SHAPE_RAW,        /* an unknown response: kept as text */
} ResponseShape;

typedef enum {
  NAME_UNKNOWN,
  NAME_CAPABILITY,
  NAME_ENABLED,
  NAME_LIST,
  NAME_LSUB,
  NAME_STATUS,
  NAME_SEARCH,
  NAME_ESEARCH,
  NAME_FLAGS,
  NAME_EXISTS,
  NAME_RECENT,
  NAME_EXPUNGE,
  NAME_FETCH,
  NAME_VANISHED,
  NAME_ID,
  NAME_NAMESPACE,
  NAME_QUOTA,
  NAME_QUOTAROOT,
} ResponseName;

typedef enum {
  STATE_LINE,
  STATE_LITERAL,    /* copying a small literal into the buffer */
  STATE_BODY,       /* streaming a body section literal */
  STATE_FAILED,
} ParserState;

struct _HeronImapParser {
  HeronImapParserLimits limits;
  HeronImapParserFlags flags;

  HeronImapResponseFunc func;
  gpointer user_data;
  GDestroyNotify notify;

  HeronImapBodyConsumer consumer;
  gpointer consumer_data;
  gboolean has_consumer;

  ParserState state;
  GError *error;
  gboolean in_callback;         /* a response or body callback is running */

  /* the text of the response being received */
  char *buf;
  gsize buf_len;
  gsize buf_cap;
  gsize seg_start;              /* where the current line segment starts in buf */
  guint64 lit_remaining;        /* bytes of the current literal still to come */
  gsize lit_start;              /* STATE_LITERAL: where its bytes start in buf */
  gboolean lit8;

  /* tokens of the response being received */
  Token *toks;
  guint n_toks;
  guint toks_cap;
  guint *stack;                 /* open parentheses: token indices, max_depth deep */
  guint depth;

  /* what the first segment said */
  ResponseShape shape;
  ResponseName name;
  guint32 tag_off, tag_len;
  guint32 name_off, name_len;
  gboolean has_number;
  guint32 number;
  guint32 rest_off;             /* where the text after the name (or condition) starts */

  /* FETCH: which literals are body sections */
  gboolean fetch_value_next;    /* depth 1: the next item is a value, not a name */
  gint fetch_body_kind;         /* the last name's HeronImapSectionKind, -1 if not a body */
  guint32 fetch_section_off, fetch_section_len;
  gint64 fetch_origin;
  gboolean fetch_name_uid;      /* the last name was UID */
  guint32 fetch_uid;

  /* body sections of the FETCH being received (allocated in resp) */
  HeronImapBodySection **sections;
  guint n_sections;
  guint sections_cap;
  HeronImapBodySection *cur_section;
  GByteArray *collect;          /* content of cur_section when there is no consumer */
  guint64 collected;            /* bytes of this response's sections collected without a
                                 * consumer, the one in progress counted at its full size:
                                 * bounded by max_body_size for the whole response */

  /* the response being built, and one kept for reuse */
  HeronImapResponse *resp;
  HeronImapResponse *spare;

  HeronImapParserStats stats;
};

/* Sets parser->error and the state to failed; returns FALSE. */
gboolean _heron_imap_parser_fail (HeronImapParser *parser,
                                  GError         **error,
                                  HeronImapError   code,
                                  const char      *format,
                                  ...) G_GNUC_PRINTF (4, 5);

/* "100 MiB", "64 KiB" or "1000 bytes", for messages. */
char *_heron_imap_format_size (guint64 size);

/* A short name for the response being parsed, for messages ("FETCH", "tagged OK"...). */
const char *_heron_imap_parser_describe (HeronImapParser *parser);

/* Tokenizes the line segment buf[start, end). On success sets *literal when the segment announced
 * a literal (with *literal_size and *literal8), which the caller then receives. */
gboolean _heron_imap_tokenize (HeronImapParser *parser,
                               gsize            start,
                               gsize            end,
                               gboolean        *literal,
                               guint64         *literal_size,
                               gboolean        *literal8,
                               GError         **error);

/* Called by the tokenizer for a body section value: starts a section, and delivers a quoted or
 * NIL value at once. */
gboolean _heron_imap_parser_begin_section (HeronImapParser *parser,
                                           guint64          size,
                                           gboolean         literal8,
                                           gboolean         is_nil,
                                           const char      *quoted,
                                           gsize            quoted_len,
                                           gboolean         escaped,
                                           GError         **error);

/* ---- Parse stage ------------------------------------------------------------------------- */

typedef struct {
  HeronImapParser *parser;
  HeronImapResponse *resp;
  const char *buf;
  const Token *toks;
  guint n;
  guint i;
  const char *what;             /* where we are, for error messages */
  gboolean utf8;
  GError **error;
} ParseCtx;

gboolean _heron_imap_parse_response (HeronImapParser *parser,
                                     GError         **error);

gboolean _heron_imap_parse_fetch    (ParseCtx        *ctx);
gboolean _heron_imap_parse_status   (ParseCtx        *ctx);

/* Parses 1*DIGIT up to @max; FALSE on anything else or overflow. */
gboolean _heron_imap_digits_to_u64  (const char      *p,
                                     gsize            len,
                                     guint64          max,
                                     guint64         *out);
/* Human-readable text, copied into the response as valid UTF-8 (bad bytes become U+FFFD). */
const char *_heron_imap_make_text   (HeronImapResponse *resp,
                                     const char        *p,
                                     gsize              len);

gboolean _heron_imap_parse_error    (ParseCtx        *ctx,
                                     const char      *format,
                                     ...) G_GNUC_PRINTF (2, 3);

gboolean _heron_imap_parse_nstring  (ParseCtx        *ctx,
                                     const char     **out);
gboolean _heron_imap_parse_string   (ParseCtx        *ctx,
                                     const char     **out);
gboolean _heron_imap_parse_astring  (ParseCtx        *ctx,
                                     const char     **out);
gboolean _heron_imap_parse_number   (ParseCtx        *ctx,
                                     guint32         *out);
gboolean _heron_imap_parse_number64 (ParseCtx        *ctx,
                                     guint64         *out);
gboolean _heron_imap_parse_flag_list (ParseCtx       *ctx,
                                      HeronImapFlags *flags);
gboolean _heron_imap_parse_string_list (ParseCtx      *ctx,
                                        HeronImapStrings *strings);
gboolean _heron_imap_parse_ranges   (ParseCtx        *ctx,
                                     const char      *text,
                                     gsize            len,
                                     HeronImapRanges *ranges);
/* Skips one value: a token or a whole parenthesized list. */
gboolean _heron_imap_parse_skip_value (ParseCtx      *ctx);
/* The text of tokens [first, last] as sent, copied into the response. */
const char *_heron_imap_parse_raw_text (ParseCtx     *ctx,
                                        guint         first,
                                        guint         last);

/* Interned spelling of a system flag, or NULL; sets *bit. */
const char *_heron_imap_system_flag (const char *name,
                                     gsize       len,
                                     guint      *bit);

/* Parses an INTERNALDATE string ("17-Jul-1996 02:44:25 -0700"). */
gboolean _heron_imap_parse_date_time (const char *text,
                                      gsize       len,
                                      gint64     *unix_time,
                                      gint32     *offset);

static inline gboolean
_heron_imap_ascii_caseeq (const char *a,
                          gsize       len,
                          const char *upper)
{
  /* @upper is an upper-case ASCII literal of exactly @len bytes */
  for (gsize i = 0; i < len; i++)
    {
      guchar c = (guchar) a[i];
      if (c >= 'a' && c <= 'z')
        c -= 'a' - 'A';
      if (c != (guchar) upper[i])
        return FALSE;
    }
  return TRUE;
}

#define TOKEN_IS(ctx, tok, lit) \
  ((tok)->type == TOK_ATOM && (tok)->len == sizeof (lit) - 1 && \
   _heron_imap_ascii_caseeq ((ctx)->buf + (tok)->off, sizeof (lit) - 1, lit))

static inline const Token *
_heron_imap_parse_peek (ParseCtx *ctx)
{
  return ctx->i < ctx->n ? &ctx->toks[ctx->i] : NULL;
}

G_END_DECLS
