/* heron-imap-parser.c: framing of the server's byte stream into responses, body streaming
 *
 * The input is cut at LF into line segments. Each segment is copied into the response buffer
 * and, once complete, tokenized (heron-imap-tokenizer.c). A segment that ends in a literal
 * announcement ("{n}") is followed by n bytes: a small literal is copied into the buffer as well;
 * a body section literal is handed to the body consumer (or collected) straight from the caller's
 * chunk and never buffered. The response is complete at the first line segment that announces no
 * literal; the parse stage then builds it and the callback gets it.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "heron-imap-parser-private.h"

#define BUF_INITIAL (64 * 1024)
#define BUF_KEEP (256 * 1024)      /* a bigger buffer is shrunk back after its response */
#define TOKS_INITIAL 1024
#define TOKS_KEEP (16 * 1024)
#define COLLECT_INITIAL (64 * 1024)
#define MAX_DEPTH_CAP 1000

void
heron_imap_parser_limits_init (HeronImapParserLimits *limits)
{
  g_return_if_fail (limits != NULL);

  limits->max_line_length = 1024 * 1024;
  limits->max_response_size = 16 * 1024 * 1024;
  limits->max_literal_size = 1024 * 1024;
  limits->max_body_size = 100 * 1024 * 1024;
  limits->max_depth = 100;
  limits->max_items = 1000000;
}

static void
account_buffers (HeronImapParser *parser)
{
  gsize held = parser->buf_cap + parser->toks_cap * sizeof (Token);

  /* Sections collected without a consumer belong to the response being built until it is
   * delivered: count what has arrived of them. */
  if (parser->collect != NULL)
    held += parser->collected - (parser->cur_section->size - parser->collect->len);
  else
    held += parser->collected;
  parser->stats.buffered = held;
  if (held > parser->stats.peak_buffered)
    parser->stats.peak_buffered = held;
}

HeronImapParser *
heron_imap_parser_new (const HeronImapParserLimits *limits,
                       HeronImapResponseFunc        func,
                       gpointer                     user_data,
                       GDestroyNotify               notify)
{
  HeronImapParser *parser;

  g_return_val_if_fail (func != NULL, NULL);

  parser = g_new0 (HeronImapParser, 1);
  if (limits != NULL)
    parser->limits = *limits;
  else
    heron_imap_parser_limits_init (&parser->limits);

  /* offsets into the buffer are 32-bit */
  parser->limits.max_response_size = MIN (parser->limits.max_response_size, (gsize) G_MAXINT32);
  parser->limits.max_response_size = MAX (parser->limits.max_response_size, 64);
  parser->limits.max_line_length = MIN (parser->limits.max_line_length,
                                        parser->limits.max_response_size);
  parser->limits.max_line_length = MAX (parser->limits.max_line_length, 64);
  parser->limits.max_literal_size = MIN (parser->limits.max_literal_size,
                                         parser->limits.max_response_size);
  parser->limits.max_depth = CLAMP (parser->limits.max_depth, 1, MAX_DEPTH_CAP);
  parser->limits.max_items = CLAMP (parser->limits.max_items, 16, G_MAXINT32 / 2);

  parser->func = func;
  parser->user_data = user_data;
  parser->notify = notify;

  parser->buf_cap = BUF_INITIAL;
  parser->buf = g_malloc (parser->buf_cap);
  parser->toks_cap = TOKS_INITIAL;
  parser->toks = g_new (Token, parser->toks_cap);
  parser->stack = g_new (guint, parser->limits.max_depth + 1);
  parser->state = STATE_LINE;
  account_buffers (parser);

  return parser;
}

static void
clear_response_state (HeronImapParser *parser)
{
  parser->buf_len = 0;
  parser->seg_start = 0;
  parser->lit_remaining = 0;
  parser->n_toks = 0;
  parser->depth = 0;
  parser->shape = SHAPE_NONE;
  parser->name = NAME_UNKNOWN;
  parser->tag_off = parser->tag_len = 0;
  parser->name_off = parser->name_len = 0;
  parser->rest_off = 0;
  parser->has_number = FALSE;
  parser->number = 0;
  parser->fetch_value_next = FALSE;
  parser->fetch_body_kind = -1;
  parser->fetch_name_uid = FALSE;
  parser->fetch_uid = 0;
  parser->n_sections = 0;
  parser->collected = 0;
  parser->cur_section = NULL;
  if (parser->collect != NULL)
    {
      g_byte_array_unref (parser->collect);
      parser->collect = NULL;
    }
}

void
heron_imap_parser_free (HeronImapParser *parser)
{
  if (parser == NULL)
    return;
  g_return_if_fail (!parser->in_callback);

  clear_response_state (parser);
  g_clear_pointer (&parser->resp, heron_imap_response_unref);
  g_clear_pointer (&parser->spare, heron_imap_response_unref);
  g_clear_error (&parser->error);
  g_free (parser->buf);
  g_free (parser->toks);
  g_free (parser->stack);
  g_free (parser->sections);
  if (parser->notify != NULL)
    parser->notify (parser->user_data);
  g_free (parser);
}

void
heron_imap_parser_set_body_consumer (HeronImapParser             *parser,
                                     const HeronImapBodyConsumer *consumer,
                                     gpointer                     user_data)
{
  g_return_if_fail (parser != NULL);
  g_return_if_fail (parser->cur_section == NULL);
  g_return_if_fail (consumer == NULL ||
                    (consumer->begin != NULL && consumer->chunk != NULL && consumer->end != NULL));

  if (consumer != NULL)
    {
      parser->consumer = *consumer;
      parser->consumer_data = user_data;
      parser->has_consumer = TRUE;
    }
  else
    {
      memset (&parser->consumer, 0, sizeof parser->consumer);
      parser->consumer_data = NULL;
      parser->has_consumer = FALSE;
    }
}

void
heron_imap_parser_set_flags (HeronImapParser      *parser,
                             HeronImapParserFlags  flags)
{
  g_return_if_fail (parser != NULL);

  if (flags & HERON_IMAP_PARSER_FLAGS_IMAP4REV2)
    flags |= HERON_IMAP_PARSER_FLAGS_UTF8;
  parser->flags = flags;
}

HeronImapParserFlags
heron_imap_parser_get_flags (HeronImapParser *parser)
{
  g_return_val_if_fail (parser != NULL, 0);

  return parser->flags;
}

void
heron_imap_parser_get_stats (HeronImapParser      *parser,
                             HeronImapParserStats *stats)
{
  g_return_if_fail (parser != NULL);
  g_return_if_fail (stats != NULL);

  *stats = parser->stats;
}

gboolean
heron_imap_parser_is_idle (HeronImapParser *parser)
{
  g_return_val_if_fail (parser != NULL, FALSE);

  return parser->state == STATE_LINE && parser->buf_len == 0;
}

void
heron_imap_parser_reset (HeronImapParser *parser)
{
  g_return_if_fail (parser != NULL);
  g_return_if_fail (!parser->in_callback);

  clear_response_state (parser);
  g_clear_pointer (&parser->resp, heron_imap_response_unref);
  g_clear_error (&parser->error);
  parser->state = STATE_LINE;
  account_buffers (parser);
}

const char *
_heron_imap_parser_describe (HeronImapParser *parser)
{
  static const char * const names[] = {
    [NAME_UNKNOWN] = NULL,
    [NAME_CAPABILITY] = "CAPABILITY",
    [NAME_ENABLED] = "ENABLED",
    [NAME_LIST] = "LIST",
    [NAME_LSUB] = "LSUB",
    [NAME_STATUS] = "STATUS",
    [NAME_SEARCH] = "SEARCH",
    [NAME_ESEARCH] = "ESEARCH",
    [NAME_FLAGS] = "FLAGS",
    [NAME_EXISTS] = "EXISTS",
    [NAME_RECENT] = "RECENT",
    [NAME_EXPUNGE] = "EXPUNGE",
    [NAME_FETCH] = "FETCH",
    [NAME_VANISHED] = "VANISHED",
    [NAME_ID] = "ID",
    [NAME_NAMESPACE] = "NAMESPACE",
    [NAME_QUOTA] = "QUOTA",
    [NAME_QUOTAROOT] = "QUOTAROOT",
  };

  switch (parser->shape)
    {
    case SHAPE_NONE:
      return "a response line";
    case SHAPE_CONTINUATION:
      return "a continuation request";
    case SHAPE_STATUS:
      return parser->tag_len > 0 ? "a tagged status response" : "an untagged status response";
    case SHAPE_RAW:
      return "an unknown response";
    default:
      return names[parser->name] != NULL ? names[parser->name] : "a response";
    }
}

gboolean
_heron_imap_parser_fail (HeronImapParser *parser,
                         GError         **error,
                         HeronImapError   code,
                         const char      *format,
                         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  g_clear_error (&parser->error);
  if (parser->shape == SHAPE_NONE)
    parser->error = g_error_new_literal (HERON_IMAP_ERROR, code, message);
  else if (parser->shape == SHAPE_TOKENS && parser->name == NAME_FETCH)
    parser->error = g_error_new (HERON_IMAP_ERROR, code, "%s in FETCH of message %u",
                                 message, parser->number);
  else
    parser->error = g_error_new (HERON_IMAP_ERROR, code, "%s in %s", message,
                                 _heron_imap_parser_describe (parser));
  parser->state = STATE_FAILED;
  if (error != NULL)
    *error = g_error_copy (parser->error);
  return FALSE;
}

static gboolean
ensure_buf (HeronImapParser *parser,
            gsize            extra)
{
  gsize need = parser->buf_len + extra;

  if (need > parser->buf_cap)
    {
      gsize cap = MAX (parser->buf_cap * 2, need);
      cap = MAX (cap, BUF_INITIAL);
      parser->buf = g_realloc (parser->buf, cap);
      parser->buf_cap = cap;
      account_buffers (parser);
    }
  return TRUE;
}

char *
_heron_imap_format_size (guint64 size)
{
  if (size >= 1024 * 1024 && size % (1024 * 1024) == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " MiB", size / (1024 * 1024));
  if (size >= 1024 && size % 1024 == 0)
    return g_strdup_printf ("%" G_GUINT64_FORMAT " KiB", size / 1024);
  return g_strdup_printf ("%" G_GUINT64_FORMAT " bytes", size);
}

/* The lines of these responses grow with the mailbox: only max_response_size bounds them. */
static gboolean
is_bulk_line (const char *p,
              gsize       len)
{
  static const char * const names[] = { "SEARCH", "ESEARCH", "SORT", "ESORT", "VANISHED", "THREAD" };

  if (len < 3 || p[0] != '*' || p[1] != ' ')
    return FALSE;
  p += 2;
  len -= 2;
  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    {
      gsize n = strlen (names[i]);
      if (len > n && (p[n] == ' ') && _heron_imap_ascii_caseeq (p, n, names[i]))
        return TRUE;
    }
  return FALSE;
}

static gboolean
append_line_bytes (HeronImapParser *parser,
                   const guint8    *data,
                   gsize            len,
                   GError         **error)
{
  gsize seg_len = parser->buf_len - parser->seg_start;

  if (len == 0)
    return TRUE;

  if (G_UNLIKELY (seg_len + len > parser->limits.max_line_length))
    {
      gboolean bulk = FALSE;

      if (parser->seg_start == 0)
        {
          char head[16];
          gsize n = MIN (parser->buf_len, sizeof head);

          memcpy (head, parser->buf, n);
          if (n < sizeof head)
            {
              gsize more = MIN (len, sizeof head - n);
              memcpy (head + n, data, more);
              n += more;
            }
          bulk = is_bulk_line (head, n);
        }
      if (!bulk)
        {
          g_autofree char *limit = _heron_imap_format_size (parser->limits.max_line_length);
          return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_LIMIT,
                                          "line longer than the limit of %s", limit);
        }
    }
  if (G_UNLIKELY (parser->buf_len + len > parser->limits.max_response_size))
    {
      g_autofree char *limit = _heron_imap_format_size (parser->limits.max_response_size);
      return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_LIMIT,
                                      "response larger than the limit of %s", limit);
    }
  if (G_UNLIKELY (memchr (data, '\0', len) != NULL))
    {
      gsize at = (const guint8 *) memchr (data, '\0', len) - data + seg_len;
      return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                      "NUL byte at offset %" G_GSIZE_FORMAT " of a line", at);
    }

  ensure_buf (parser, len);
  memcpy (parser->buf + parser->buf_len, data, len);
  parser->buf_len += len;
  return TRUE;
}

static gboolean
is_tag_char (guchar c)
{
  /* ASTRING-CHAR except "+": no CTL, SP, 8-bit, ( ) { % * " \ */
  if (c <= 0x20 || c >= 0x7f)
    return FALSE;
  return strchr ("(){%*\"\\+", c) == NULL;
}

static gboolean
is_name_char (guchar c)
{
  return g_ascii_isalnum (c) || c == '-' || c == '.' || c == '_' || c == '=' || c == '+' ||
         c == '$' || c == '#' || c == '!' || c == '/' || c == ':' || c == '@' || c == '&' ||
         c == '\'' || c == ',' || c == ';' || c == '<' || c == '>' || c == '?' || c == '^' ||
         c == '`' || c == '|' || c == '~' || c == '[';
}

static ResponseName
lookup_name (const char *p,
             gsize       len)
{
  static const struct {
    const char *name;
    ResponseName value;
  } names[] = {
    { "FETCH", NAME_FETCH },
    { "EXISTS", NAME_EXISTS },
    { "EXPUNGE", NAME_EXPUNGE },
    { "RECENT", NAME_RECENT },
    { "FLAGS", NAME_FLAGS },
    { "LIST", NAME_LIST },
    { "LSUB", NAME_LSUB },
    { "STATUS", NAME_STATUS },
    { "SEARCH", NAME_SEARCH },
    { "ESEARCH", NAME_ESEARCH },
    { "CAPABILITY", NAME_CAPABILITY },
    { "ENABLED", NAME_ENABLED },
    { "VANISHED", NAME_VANISHED },
    { "ID", NAME_ID },
    { "NAMESPACE", NAME_NAMESPACE },
    { "QUOTA", NAME_QUOTA },
    { "QUOTAROOT", NAME_QUOTAROOT },
  };

  for (guint i = 0; i < G_N_ELEMENTS (names); i++)
    if (strlen (names[i].name) == len && _heron_imap_ascii_caseeq (p, len, names[i].name))
      return names[i].value;
  return NAME_UNKNOWN;
}

static gboolean
is_condition (const char *p,
              gsize       len,
              gboolean    tagged)
{
  if ((len == 2 && _heron_imap_ascii_caseeq (p, 2, "OK")) ||
      (len == 2 && _heron_imap_ascii_caseeq (p, 2, "NO")) ||
      (len == 3 && _heron_imap_ascii_caseeq (p, 3, "BAD")))
    return TRUE;
  if (!tagged &&
      ((len == 3 && _heron_imap_ascii_caseeq (p, 3, "BYE")) ||
       (len == 7 && _heron_imap_ascii_caseeq (p, 7, "PREAUTH"))))
    return TRUE;
  return FALSE;
}

/* Reads the start of a response from its first line segment buf[0, end). */
static gboolean
begin_response (HeronImapParser *parser,
                gsize            end,
                GError         **error)
{
  const char *buf = parser->buf;
  gsize i = 0;

  if (parser->resp == NULL)
    {
      if (parser->spare != NULL)
        parser->resp = g_steal_pointer (&parser->spare);
      else
        parser->resp = _heron_imap_response_new ();
    }

  if (end == 0)
    return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE, "empty line");

  if (buf[0] == '+')
    {
      parser->shape = SHAPE_CONTINUATION;
      i = 1;
      if (i < end && buf[i] == ' ')
        i++;
      parser->rest_off = i;
      return TRUE;
    }

  if (buf[0] == '*')
    {
      gsize name_start;

      if (end < 2 || buf[1] != ' ')
        return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                        "no space after \"*\"");
      i = 2;
      if (i < end && g_ascii_isdigit (buf[i]))
        {
          guint64 n = 0;
          gsize digits_start = i;

          while (i < end && g_ascii_isdigit (buf[i]))
            {
              n = n * 10 + (buf[i] - '0');
              if (n > G_MAXUINT32)
                return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                                "message number %.*s does not fit in 32 bits",
                                                (int) MIN (end - digits_start, 40),
                                                buf + digits_start);
              i++;
            }
          if (i >= end || buf[i] != ' ')
            return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                            "no space after the number of \"* %.*s\"",
                                            (int) (i - digits_start), buf + digits_start);
          parser->has_number = TRUE;
          parser->number = (guint32) n;
          i++;
        }
      name_start = i;
      while (i < end && is_name_char (buf[i]))
        i++;
      if (i == name_start && i >= end)
        return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                        "missing response name");
      if (i == name_start || (i < end && buf[i] != ' '))
        {
          if (i < end && (guchar) buf[i] >= 0x80)
            return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                            "8-bit byte in the response name");
          return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                          "invalid character 0x%02x in the response name",
                                          i < end ? (guchar) buf[i] : 0);
        }
      parser->name_off = name_start;
      parser->name_len = i - name_start;
      if (i < end)
        i++;
      parser->rest_off = i;

      if (!parser->has_number && is_condition (buf + name_start, parser->name_len, FALSE))
        {
          parser->shape = SHAPE_STATUS;
          return TRUE;
        }

      parser->name = lookup_name (buf + name_start, parser->name_len);
      switch (parser->name)
        {
        case NAME_EXISTS:
        case NAME_RECENT:
        case NAME_EXPUNGE:
        case NAME_FETCH:
          if (!parser->has_number)
            return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                            "%.*s without a message number",
                                            (int) parser->name_len, buf + name_start);
          if (parser->number == 0 && parser->name != NAME_EXISTS && parser->name != NAME_RECENT)
            return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                            "message number 0");
          parser->shape = SHAPE_TOKENS;
          break;
        case NAME_UNKNOWN:
          parser->shape = SHAPE_RAW;
          break;
        default:
          if (parser->has_number)
            {
              parser->name = NAME_UNKNOWN;
              parser->shape = SHAPE_RAW;
            }
          else
            parser->shape = parser->name == NAME_SEARCH ? SHAPE_SEARCH : SHAPE_TOKENS;
          break;
        }
      return TRUE;
    }

  /* a tagged response */
  while (i < end && is_tag_char (buf[i]))
    i++;
  if (i > 0 && i >= end)
    return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                    "nothing after the tag %.*s", (int) MIN (i, 64), buf);
  if (i == 0 || i >= end || buf[i] != ' ')
    {
      if (i < end && (guchar) buf[i] >= 0x80)
        return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                        "8-bit byte in a tag");
      return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                      "invalid character 0x%02x where a tag was expected",
                                      i < end ? (guchar) buf[i] : 0);
    }
  parser->tag_off = 0;
  parser->tag_len = i;
  i++;
  {
    gsize cond = i;

    while (i < end && buf[i] != ' ')
      i++;
    if (!is_condition (buf + cond, i - cond, TRUE))
      return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                      "tagged response %.*s with \"%.*s\" where OK, NO or BAD "
                                      "was expected",
                                      (int) MIN (parser->tag_len, 64), buf,
                                      (int) MIN (i - cond, 32), buf + cond);
    parser->name_off = cond;
    parser->name_len = i - cond;
    if (i < end)
      i++;
    parser->rest_off = i;
    parser->shape = SHAPE_STATUS;
  }
  return TRUE;
}

static gboolean
deliver (HeronImapParser *parser,
         GError         **error)
{
  HeronImapResponse *resp;
  GError *local = NULL;
  gboolean ok;

  if (!_heron_imap_parse_response (parser, error))
    return FALSE;

  resp = parser->resp;
  parser->stats.responses++;
  parser->in_callback = TRUE;
  ok = parser->func (parser, resp, parser->user_data, &local);
  parser->in_callback = FALSE;

  clear_response_state (parser);

  /* keep the response for reuse unless the callback took a reference */
  parser->resp = NULL;
  if (parser->spare == NULL && _heron_imap_response_get_ref_count (resp) == 1)
    {
      _heron_imap_response_recycle (resp);
      parser->spare = resp;
    }
  else
    heron_imap_response_unref (resp);

  if (parser->buf_cap > BUF_KEEP)
    {
      parser->buf_cap = BUF_INITIAL;
      parser->buf = g_realloc (parser->buf, parser->buf_cap);
    }
  if (parser->toks_cap > TOKS_KEEP)
    {
      parser->toks_cap = TOKS_INITIAL;
      parser->toks = g_renew (Token, parser->toks, parser->toks_cap);
    }
  account_buffers (parser);

  if (!ok)
    {
      if (local == NULL)
        local = g_error_new_literal (HERON_IMAP_ERROR, HERON_IMAP_ERROR_FAILED,
                                     "the response handler stopped the parser");
      g_clear_error (&parser->error);
      parser->error = g_error_copy (local);
      parser->state = STATE_FAILED;
      g_propagate_error (error, local);
      return FALSE;
    }
  return TRUE;
}

static gboolean
finish_section (HeronImapParser *parser,
                GError         **error)
{
  HeronImapBodySection *section = parser->cur_section;

  parser->cur_section = NULL;
  if (parser->has_consumer)
    {
      GError *local = NULL;

      gboolean ok;

      parser->in_callback = TRUE;
      ok = parser->consumer.end (parser->consumer_data, &local);
      parser->in_callback = FALSE;
      if (!ok)
        {
          g_clear_error (&parser->error);
          parser->error = local != NULL ? local :
            g_error_new_literal (HERON_IMAP_ERROR, HERON_IMAP_ERROR_FAILED,
                                 "the body consumer stopped the parser");
          parser->state = STATE_FAILED;
          if (error != NULL)
            *error = g_error_copy (parser->error);
          return FALSE;
        }
    }
  else
    {
      GBytes *bytes = g_byte_array_free_to_bytes (g_steal_pointer (&parser->collect));

      section->data = bytes;
      _heron_imap_response_own_bytes (parser->resp, bytes);
      account_buffers (parser);
    }
  return TRUE;
}

static gboolean
consumer_failed (HeronImapParser *parser,
                 GError          *local,
                 GError         **error)
{
  parser->in_callback = FALSE;
  g_clear_error (&parser->error);
  parser->error = local != NULL ? local :
    g_error_new_literal (HERON_IMAP_ERROR, HERON_IMAP_ERROR_FAILED,
                         "the body consumer stopped the parser");
  parser->state = STATE_FAILED;
  if (error != NULL)
    *error = g_error_copy (parser->error);
  return FALSE;
}

gboolean
_heron_imap_parser_begin_section (HeronImapParser *parser,
                                  guint64          size,
                                  gboolean         literal8,
                                  gboolean         is_nil,
                                  const char      *quoted,
                                  gsize            quoted_len,
                                  gboolean         escaped,
                                  GError         **error)
{
  HeronImapBodySection *section;
  HeronImapBodyInfo info;
  g_autofree char *unescaped = NULL;
  GError *local = NULL;

  section = _heron_imap_response_alloc (parser->resp, sizeof (HeronImapBodySection));
  section->kind = (HeronImapSectionKind) parser->fetch_body_kind;
  section->section = _heron_imap_response_strndup (parser->resp,
                                                   parser->buf + parser->fetch_section_off,
                                                   parser->fetch_section_len);
  section->origin = parser->fetch_origin;
  section->is_nil = is_nil;
  section->literal8 = literal8;

  if (parser->n_sections == parser->sections_cap)
    {
      parser->sections_cap = MAX (8, parser->sections_cap * 2);
      parser->sections = g_renew (HeronImapBodySection *, parser->sections, parser->sections_cap);
    }
  parser->sections[parser->n_sections++] = section;

  if (is_nil)
    return TRUE;

  if (quoted != NULL)
    {
      if (escaped)
        {
          gsize j = 0;

          unescaped = g_malloc (quoted_len + 1);
          for (gsize k = 0; k < quoted_len; k++)
            {
              if (quoted[k] == '\\')
                k++;
              unescaped[j++] = quoted[k];
            }
          quoted = unescaped;
          quoted_len = j;
        }
      size = quoted_len;
    }

  section->size = size;
  parser->stats.body_bytes += size;

  if (!parser->has_consumer)
    {
      /* Without a consumer every section is kept in memory until the response is delivered:
       * bound them together, not one by one, or many sections in one FETCH add up unbounded. */
      if (size > parser->limits.max_body_size - MIN (parser->collected, parser->limits.max_body_size))
        {
          g_autofree char *limit = _heron_imap_format_size (parser->limits.max_body_size);
          return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_LIMIT,
                                          "the body sections of one FETCH response exceed the "
                                          "limit of %s in all", limit);
        }
      parser->collected += size;
      if (quoted != NULL)
        {
          section->data = g_bytes_new (quoted, quoted_len);
          _heron_imap_response_own_bytes (parser->resp, section->data);
        }
      else
        {
          parser->collect = g_byte_array_sized_new ((guint) MIN (size, COLLECT_INITIAL));
          parser->cur_section = section;
          account_buffers (parser);
        }
      return TRUE;
    }

  info.seq = parser->number;
  info.uid = parser->fetch_uid;
  info.kind = section->kind;
  info.section = section->section;
  info.origin = section->origin;
  info.size = size;
  info.literal8 = literal8;
  parser->in_callback = TRUE;
  if (!parser->consumer.begin (&info, parser->consumer_data, &local))
    return consumer_failed (parser, local, error);

  if (quoted != NULL)
    {
      if (quoted_len > 0 && !parser->consumer.chunk ((const guint8 *) quoted, quoted_len,
                                                     parser->consumer_data, &local))
        return consumer_failed (parser, local, error);
      if (!parser->consumer.end (parser->consumer_data, &local))
        return consumer_failed (parser, local, error);
    }
  parser->in_callback = FALSE;
  if (quoted != NULL)
    return TRUE;

  parser->cur_section = section;
  return TRUE;
}

/* A line segment ended (its LF consumed). */
static gboolean
end_of_line (HeronImapParser *parser,
             GError         **error)
{
  gsize end = parser->buf_len;
  gsize start;
  gboolean literal = FALSE;
  guint64 literal_size = 0;
  gboolean literal8 = FALSE;
  const char *cr;

  if (end == parser->seg_start || parser->buf[end - 1] != '\r')
    return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                    "line ends in a bare LF instead of CRLF");
  end--;
  parser->buf_len = end;
  cr = memchr (parser->buf + parser->seg_start, '\r', end - parser->seg_start);
  if (cr != NULL)
    return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                    "CR not followed by LF at offset %" G_GSIZE_FORMAT
                                    " of a line", (gsize) (cr - parser->buf - parser->seg_start));

  start = parser->seg_start;
  if (parser->shape == SHAPE_NONE)
    {
      if (!begin_response (parser, end, error))
        return FALSE;
      start = parser->rest_off;
    }

  if (parser->shape == SHAPE_TOKENS || parser->shape == SHAPE_RAW)
    {
      if (!_heron_imap_tokenize (parser, start, end, &literal, &literal_size, &literal8, error))
        return FALSE;
    }

  if (!literal)
    return deliver (parser, error);

  parser->seg_start = parser->buf_len;
  parser->lit8 = literal8;
  parser->lit_remaining = literal_size;

  if (parser->cur_section != NULL)
    {
      if (literal_size == 0)
        return finish_section (parser, error);
      parser->state = STATE_BODY;
      return TRUE;
    }

  if (literal_size > 0)
    {
      ensure_buf (parser, (gsize) literal_size);
      parser->lit_start = parser->buf_len;
      parser->state = STATE_LITERAL;
    }
  return TRUE;
}

gboolean
heron_imap_parser_feed (HeronImapParser *parser,
                        const guint8    *data,
                        gsize            len,
                        GError         **error)
{
  g_return_val_if_fail (parser != NULL, FALSE);
  g_return_val_if_fail (data != NULL || len == 0, FALSE);
  g_return_val_if_fail (!parser->in_callback, FALSE);

  if (parser->state == STATE_FAILED)
    {
      if (error != NULL)
        *error = g_error_copy (parser->error);
      return FALSE;
    }

  parser->stats.bytes += len;

  while (len > 0)
    {
      switch (parser->state)
        {
        case STATE_LINE:
          {
            const guint8 *lf = memchr (data, '\n', len);
            gsize take = lf != NULL ? (gsize) (lf - data) : len;

            if (!append_line_bytes (parser, data, take, error))
              return FALSE;
            data += take;
            len -= take;
            if (lf == NULL)
              return TRUE;
            data++;
            len--;
            if (!end_of_line (parser, error))
              return FALSE;
          }
          break;

        case STATE_LITERAL:
          {
            gsize take = (gsize) MIN ((guint64) len, parser->lit_remaining);

            if (!parser->lit8 && memchr (data, '\0', take) != NULL)
              return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                              "NUL byte in a literal");
            memcpy (parser->buf + parser->buf_len, data, take);
            parser->buf_len += take;
            data += take;
            len -= take;
            parser->lit_remaining -= take;
            if (parser->lit_remaining == 0)
              {
                parser->seg_start = parser->buf_len;
                parser->state = STATE_LINE;
              }
          }
          break;

        case STATE_BODY:
          {
            gsize take = (gsize) MIN ((guint64) len, parser->lit_remaining);

            if (parser->has_consumer)
              {
                GError *local = NULL;

                gboolean ok;

                parser->in_callback = TRUE;
                ok = parser->consumer.chunk (data, take, parser->consumer_data, &local);
                parser->in_callback = FALSE;
                if (!ok)
                  return consumer_failed (parser, local, error);
              }
            else
              {
                g_byte_array_append (parser->collect, data, (guint) take);
                account_buffers (parser);
              }
            data += take;
            len -= take;
            parser->lit_remaining -= take;
            if (parser->lit_remaining == 0)
              {
                parser->state = STATE_LINE;
                if (!finish_section (parser, error))
                  return FALSE;
              }
          }
          break;

        case STATE_FAILED:
        default:
          if (error != NULL)
            *error = g_error_copy (parser->error);
          return FALSE;
        }
    }

  return TRUE;
}

gboolean
heron_imap_parser_finish (HeronImapParser *parser,
                          GError         **error)
{
  g_return_val_if_fail (parser != NULL, FALSE);
  g_return_val_if_fail (!parser->in_callback, FALSE);

  switch (parser->state)
    {
    case STATE_FAILED:
      if (error != NULL)
        *error = g_error_copy (parser->error);
      return FALSE;

    case STATE_LITERAL:
    case STATE_BODY:
      return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_CLOSED,
                                      "connection closed in the middle of a literal "
                                      "(%" G_GUINT64_FORMAT " bytes missing)",
                                      parser->lit_remaining);

    case STATE_LINE:
    default:
      if (parser->buf_len > 0)
        return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_CLOSED,
                                        "connection closed in the middle of a response");
      return TRUE;
    }
}
