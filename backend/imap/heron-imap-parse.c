/* heron-imap-parse.c: the parse stage for mailbox data, and the helpers it shares
 *
 * Runs once a response is complete: walks its tokens (or, for continuation requests and SEARCH,
 * its single line) and builds the typed response in the response's arena. Status responses are
 * in heron-imap-status.c, FETCH in heron-imap-fetch.c.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <stdarg.h>
#include <string.h>

#include "heron-imap-parser-private.h"
#include "heron-imap-utf7.h"

gboolean
_heron_imap_parse_error (ParseCtx   *ctx,
                         const char *format,
                         ...)
{
  g_autofree char *message = NULL;
  va_list args;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  if (ctx->n == 0)
    return _heron_imap_parser_fail (ctx->parser, ctx->error, HERON_IMAP_ERROR_PARSE,
                                    "%s", message);
  if (ctx->what != NULL)
    return _heron_imap_parser_fail (ctx->parser, ctx->error, HERON_IMAP_ERROR_PARSE,
                                    "%s (in %s, at token %u)", message, ctx->what, ctx->i);
  return _heron_imap_parser_fail (ctx->parser, ctx->error, HERON_IMAP_ERROR_PARSE,
                                  "%s (at token %u)", message, ctx->i);
}

static const char *
token_kind_name (const Token *t)
{
  if (t == NULL)
    return "the end of the response";
  switch (t->type)
    {
    case TOK_ATOM: return t->flags & TOKF_NIL ? "NIL" : (t->flags & TOKF_DIGITS ? "a number" : "an atom");
    case TOK_QUOTED: return "a quoted string";
    case TOK_LITERAL: return "a literal";
    case TOK_BODY: return "a body section";
    case TOK_LPAREN: return "\"(\"";
    case TOK_RPAREN: return "\")\"";
    default: return "?";
    }
}

static gboolean
expect (ParseCtx   *ctx,
        TokenType   type,
        const char *what)
{
  const Token *t = _heron_imap_parse_peek (ctx);

  if (t == NULL || t->type != type)
    return _heron_imap_parse_error (ctx, "expected %s, got %s", what, token_kind_name (t));
  ctx->i++;
  return TRUE;
}

static gboolean
expect_end (ParseCtx *ctx)
{
  if (ctx->i < ctx->n)
    return _heron_imap_parse_error (ctx, "unexpected %s after the end of the response",
                                    token_kind_name (&ctx->toks[ctx->i]));
  return TRUE;
}

/* The string value of a quoted, literal or atom token, copied into the response. */
static const char *
token_string (ParseCtx    *ctx,
              const Token *t)
{
  const char *src = ctx->buf + t->off;

  if (t->type == TOK_QUOTED && (t->flags & TOKF_ESCAPED))
    {
      char *out = _heron_imap_response_alloc (ctx->resp, t->len + 1);
      gsize j = 0;

      for (gsize k = 0; k < t->len; k++)
        {
          if (src[k] == '\\')
            k++;
          out[j++] = src[k];
        }
      out[j] = '\0';
      return out;
    }
  return _heron_imap_response_strndup (ctx->resp, src, t->len);
}

gboolean
_heron_imap_parse_nstring (ParseCtx    *ctx,
                           const char **out)
{
  const Token *t = _heron_imap_parse_peek (ctx);

  if (t != NULL && (t->type == TOK_QUOTED || t->type == TOK_LITERAL || t->type == TOK_ATOM))
    {
      ctx->i++;
      *out = (t->flags & TOKF_NIL) ? NULL : token_string (ctx, t);
      return TRUE;
    }
  return _heron_imap_parse_error (ctx, "expected a string or NIL, got %s", token_kind_name (t));
}

gboolean
_heron_imap_parse_string (ParseCtx    *ctx,
                          const char **out)
{
  /* Lenient: a few servers send NIL or an atom where a string belongs; NIL reads as "". */
  if (!_heron_imap_parse_nstring (ctx, out))
    return FALSE;
  if (*out == NULL)
    *out = "";
  return TRUE;
}

gboolean
_heron_imap_parse_astring (ParseCtx    *ctx,
                           const char **out)
{
  const Token *t = _heron_imap_parse_peek (ctx);

  if (t != NULL && (t->type == TOK_QUOTED || t->type == TOK_LITERAL || t->type == TOK_ATOM))
    {
      ctx->i++;
      *out = token_string (ctx, t);
      return TRUE;
    }
  return _heron_imap_parse_error (ctx, "expected a string, got %s", token_kind_name (t));
}

gboolean
_heron_imap_digits_to_u64 (const char *p,
                           gsize       len,
                           guint64     max,
                           guint64    *out)
{
  guint64 v = 0;

  if (len == 0)
    return FALSE;
  for (gsize k = 0; k < len; k++)
    {
      guint d = (guchar) p[k] - '0';

      if (d > 9)
        return FALSE;
      if (v > (max - d) / 10)
        return FALSE;
      v = v * 10 + d;
    }
  *out = v;
  return TRUE;
}

gboolean
_heron_imap_parse_number (ParseCtx *ctx,
                          guint32  *out)
{
  const Token *t = _heron_imap_parse_peek (ctx);
  guint64 v;

  if (t == NULL || t->type != TOK_ATOM || !(t->flags & TOKF_DIGITS))
    return _heron_imap_parse_error (ctx, "expected a number, got %s", token_kind_name (t));
  if (!_heron_imap_digits_to_u64 (ctx->buf + t->off, t->len, G_MAXUINT32, &v))
    return _heron_imap_parse_error (ctx, "number %.*s does not fit in 32 bits",
                                    (int) MIN (t->len, 40), ctx->buf + t->off);
  ctx->i++;
  *out = (guint32) v;
  return TRUE;
}

gboolean
_heron_imap_parse_number64 (ParseCtx *ctx,
                            guint64  *out)
{
  const Token *t = _heron_imap_parse_peek (ctx);

  if (t == NULL || t->type != TOK_ATOM || !(t->flags & TOKF_DIGITS))
    return _heron_imap_parse_error (ctx, "expected a number, got %s", token_kind_name (t));
  if (!_heron_imap_digits_to_u64 (ctx->buf + t->off, t->len, G_MAXINT64, out))
    return _heron_imap_parse_error (ctx, "number %.*s does not fit in 63 bits",
                                    (int) MIN (t->len, 40), ctx->buf + t->off);
  ctx->i++;
  return TRUE;
}

gboolean
_heron_imap_parse_skip_value (ParseCtx *ctx)
{
  const Token *t = _heron_imap_parse_peek (ctx);

  if (t == NULL || t->type == TOK_RPAREN)
    return _heron_imap_parse_error (ctx, "expected a value, got %s", token_kind_name (t));
  if (t->type == TOK_LPAREN)
    ctx->i = t->aux + 1;
  else
    ctx->i++;
  return TRUE;
}

static gsize
token_start (ParseCtx    *ctx,
             const Token *t)
{
  return t->type == TOK_QUOTED ? t->off - 1 : t->off;
}

static gsize
token_end (ParseCtx    *ctx,
           const Token *t)
{
  switch (t->type)
    {
    case TOK_QUOTED:
      return t->off + t->len + 1;
    case TOK_LPAREN:
      return ctx->toks[t->aux].off + 1;
    default:
      return t->off + t->len;
    }
}

const char *
_heron_imap_parse_raw_text (ParseCtx *ctx,
                            guint     first,
                            guint     last)
{
  gsize start = token_start (ctx, &ctx->toks[first]);
  gsize end = token_end (ctx, &ctx->toks[last]);

  return _heron_imap_response_strndup (ctx->resp, ctx->buf + start, end - start);
}

/* The number of values in the list whose "(" is at token @open. */
static guint
count_list (ParseCtx *ctx,
            guint     open)
{
  guint close = ctx->toks[open].aux;
  guint n = 0;

  for (guint j = open + 1; j < close; n++)
    j = ctx->toks[j].type == TOK_LPAREN ? ctx->toks[j].aux + 1 : j + 1;
  return n;
}

const char *
_heron_imap_system_flag (const char *name,
                         gsize       len,
                         guint      *bit)
{
  static const struct {
    const char *upper;
    const char *canonical;
    guint bit;
  } flags[] = {
    { "\\SEEN", "\\Seen", HERON_IMAP_FLAG_SEEN },
    { "\\ANSWERED", "\\Answered", HERON_IMAP_FLAG_ANSWERED },
    { "\\FLAGGED", "\\Flagged", HERON_IMAP_FLAG_FLAGGED },
    { "\\DELETED", "\\Deleted", HERON_IMAP_FLAG_DELETED },
    { "\\DRAFT", "\\Draft", HERON_IMAP_FLAG_DRAFT },
    { "\\RECENT", "\\Recent", HERON_IMAP_FLAG_RECENT },
    { "\\*", "\\*", HERON_IMAP_FLAG_ANY },
  };

  if (len < 2 || name[0] != '\\')
    return NULL;
  for (guint k = 0; k < G_N_ELEMENTS (flags); k++)
    if (strlen (flags[k].upper) == len && _heron_imap_ascii_caseeq (name, len, flags[k].upper))
      {
        *bit = flags[k].bit;
        return flags[k].canonical;
      }
  return NULL;
}

gboolean
_heron_imap_parse_flag_list (ParseCtx       *ctx,
                             HeronImapFlags *flags)
{
  const Token *open = _heron_imap_parse_peek (ctx);
  const char **names;
  guint n = 0;
  guint close;

  if (open == NULL || open->type != TOK_LPAREN)
    return _heron_imap_parse_error (ctx, "expected a flag list, got %s", token_kind_name (open));
  close = open->aux;
  names = _heron_imap_response_alloc (ctx->resp, sizeof (char *) * (close - ctx->i));
  for (ctx->i++; ctx->i < close; ctx->i++)
    {
      const Token *t = &ctx->toks[ctx->i];
      const char *interned;
      guint bit = 0;

      if (t->type != TOK_ATOM)
        return _heron_imap_parse_error (ctx, "expected a flag, got %s", token_kind_name (t));
      interned = _heron_imap_system_flag (ctx->buf + t->off, t->len, &bit);
      if (interned != NULL)
        {
          flags->system |= bit;
          names[n++] = interned;
        }
      else
        names[n++] = _heron_imap_response_strndup (ctx->resp, ctx->buf + t->off, t->len);
    }
  ctx->i = close + 1;
  names[n] = NULL;
  flags->names = names;
  flags->n_names = n;
  return TRUE;
}

gboolean
_heron_imap_parse_string_list (ParseCtx         *ctx,
                               HeronImapStrings *strings)
{
  const Token *open = _heron_imap_parse_peek (ctx);
  const char **items;
  guint n = 0;
  guint close;

  if (open == NULL || open->type != TOK_LPAREN)
    return _heron_imap_parse_error (ctx, "expected a list of strings, got %s",
                                    token_kind_name (open));
  close = open->aux;
  items = _heron_imap_response_alloc (ctx->resp, sizeof (char *) * (close - ctx->i));
  ctx->i++;
  while (ctx->i < close)
    if (!_heron_imap_parse_astring (ctx, &items[n++]))
      return FALSE;
  ctx->i = close + 1;
  items[n] = NULL;
  strings->items = items;
  strings->n_items = n;
  return TRUE;
}

gboolean
_heron_imap_parse_ranges (ParseCtx        *ctx,
                          const char      *text,
                          gsize            len,
                          HeronImapRanges *ranges)
{
  HeronImapRange *out;
  guint n = 1;
  guint k = 0;
  gsize i = 0;

  for (gsize j = 0; j < len; j++)
    if (text[j] == ',')
      n++;
  if (n > ctx->parser->limits.max_items)
    return _heron_imap_parser_fail (ctx->parser, ctx->error, HERON_IMAP_ERROR_LIMIT,
                                    "more than %u ranges in a set",
                                    ctx->parser->limits.max_items);
  out = _heron_imap_response_alloc (ctx->resp, sizeof (HeronImapRange) * n);

  while (i <= len)
    {
      guint64 a, b;
      gsize start = i;

      while (i < len && g_ascii_isdigit (text[i]))
        i++;
      if (!_heron_imap_digits_to_u64 (text + start, i - start, G_MAXUINT32, &a) || a == 0)
        goto bad;
      b = a;
      if (i < len && text[i] == ':')
        {
          start = ++i;
          while (i < len && g_ascii_isdigit (text[i]))
            i++;
          if (!_heron_imap_digits_to_u64 (text + start, i - start, G_MAXUINT32, &b) || b == 0)
            goto bad;
        }
      out[k].first = (guint32) MIN (a, b);
      out[k].last = (guint32) MAX (a, b);
      k++;
      if (i == len)
        break;
      if (text[i] != ',')
        goto bad;
      i++;
    }

  ranges->ranges = out;
  ranges->n_ranges = k;
  return TRUE;

bad:
  return _heron_imap_parse_error (ctx, "invalid sequence set \"%.*s\"", (int) MIN (len, 80), text);
}

static gboolean
parse_set_token (ParseCtx        *ctx,
                 HeronImapRanges *ranges)
{
  const Token *t = _heron_imap_parse_peek (ctx);

  if (t == NULL || t->type != TOK_ATOM)
    return _heron_imap_parse_error (ctx, "expected a sequence set, got %s", token_kind_name (t));
  ctx->i++;
  return _heron_imap_parse_ranges (ctx, ctx->buf + t->off, t->len, ranges);
}

const char *
_heron_imap_make_text (HeronImapResponse *resp,
                       const char        *p,
                       gsize              len)
{
  g_autofree char *valid = NULL;

  if (G_LIKELY (g_utf8_validate_len (p, len, NULL)))
    return _heron_imap_response_strndup (resp, p, len);
  valid = g_utf8_make_valid (p, (gssize) len);
  return _heron_imap_response_strndup (resp, valid, strlen (valid));
}

static void
decode_mailbox (ParseCtx             *ctx,
                const char           *raw,
                HeronImapMailboxName *out)
{
  gsize len = strlen (raw);
  gboolean plain = TRUE;

  out->raw = raw;
  if (len == 5 && _heron_imap_ascii_caseeq (raw, 5, "INBOX"))
    {
      out->name = "INBOX";
      return;
    }
  if (ctx->utf8)
    {
      out->name = g_utf8_validate_len (raw, len, NULL) ? raw : NULL;
      return;
    }
  for (gsize k = 0; k < len; k++)
    if (raw[k] == '&' || (guchar) raw[k] < 0x20 || (guchar) raw[k] > 0x7e)
      {
        plain = FALSE;
        break;
      }
  if (plain)
    out->name = raw;
  else
    {
      g_autofree char *decoded = heron_imap_utf7_decode_len (raw, len, NULL);

      out->name = decoded != NULL ? _heron_imap_response_strndup (ctx->resp, decoded,
                                                                  strlen (decoded)) : NULL;
    }
}

/* ---- Mailbox data ------------------------------------------------------------------------ */

static gboolean
parse_capability (ParseCtx         *ctx,
                  HeronImapStrings *strings)
{
  const char **items = _heron_imap_response_alloc (ctx->resp, sizeof (char *) * (ctx->n + 1));
  guint n = 0;

  for (; ctx->i < ctx->n; ctx->i++)
    {
      const Token *t = &ctx->toks[ctx->i];

      if (t->type != TOK_ATOM)
        return _heron_imap_parse_error (ctx, "expected a capability, got %s", token_kind_name (t));
      items[n++] = _heron_imap_response_strndup (ctx->resp, ctx->buf + t->off, t->len);
    }
  items[n] = NULL;
  strings->items = items;
  strings->n_items = n;
  return TRUE;
}

static const struct {
  const char *upper;
  guint bit;
} mailbox_attributes[] = {
  { "\\NOINFERIORS", HERON_IMAP_MAILBOX_NOINFERIORS },
  { "\\NOSELECT", HERON_IMAP_MAILBOX_NOSELECT },
  { "\\MARKED", HERON_IMAP_MAILBOX_MARKED },
  { "\\UNMARKED", HERON_IMAP_MAILBOX_UNMARKED },
  { "\\HASCHILDREN", HERON_IMAP_MAILBOX_HAS_CHILDREN },
  { "\\HASNOCHILDREN", HERON_IMAP_MAILBOX_HAS_NO_CHILDREN },
  { "\\NONEXISTENT", HERON_IMAP_MAILBOX_NONEXISTENT | HERON_IMAP_MAILBOX_NOSELECT },
  { "\\SUBSCRIBED", HERON_IMAP_MAILBOX_SUBSCRIBED },
  { "\\REMOTE", HERON_IMAP_MAILBOX_REMOTE },
  { "\\ALL", HERON_IMAP_MAILBOX_ALL },
  { "\\ARCHIVE", HERON_IMAP_MAILBOX_ARCHIVE },
  { "\\DRAFTS", HERON_IMAP_MAILBOX_DRAFTS },
  { "\\FLAGGED", HERON_IMAP_MAILBOX_FLAGGED },
  { "\\JUNK", HERON_IMAP_MAILBOX_JUNK },
  { "\\SENT", HERON_IMAP_MAILBOX_SENT },
  { "\\TRASH", HERON_IMAP_MAILBOX_TRASH },
  { "\\IMPORTANT", HERON_IMAP_MAILBOX_IMPORTANT },
};

static gboolean
parse_list (ParseCtx      *ctx,
            HeronImapList *list)
{
  HeronImapFlags attrs = { 0 };
  const Token *t;
  const char *raw;

  list->is_lsub = ctx->parser->name == NAME_LSUB;
  ctx->what = "attributes";
  if (!_heron_imap_parse_flag_list (ctx, &attrs))
    return FALSE;
  list->attribute_names.items = attrs.names;
  list->attribute_names.n_items = attrs.n_names;
  for (guint k = 0; k < attrs.n_names; k++)
    {
      const char *a = attrs.names[k];
      gsize len = strlen (a);

      for (guint m = 0; m < G_N_ELEMENTS (mailbox_attributes); m++)
        if (strlen (mailbox_attributes[m].upper) == len &&
            _heron_imap_ascii_caseeq (a, len, mailbox_attributes[m].upper))
          list->attributes |= mailbox_attributes[m].bit;
    }
  /* \NoInferiors implies \HasNoChildren (RFC 9051 section 6.3.9.4) */
  if (list->attributes & HERON_IMAP_MAILBOX_NOINFERIORS)
    list->attributes |= HERON_IMAP_MAILBOX_HAS_NO_CHILDREN;

  ctx->what = "delimiter";
  t = _heron_imap_parse_peek (ctx);
  if (t != NULL && t->type == TOK_QUOTED)
    list->delimiter = token_string (ctx, t);
  else if (t == NULL || !(t->flags & TOKF_NIL))
    return _heron_imap_parse_error (ctx, "expected a quoted delimiter or NIL, got %s",
                                    token_kind_name (t));
  ctx->i++;

  ctx->what = "mailbox name";
  if (!_heron_imap_parse_astring (ctx, &raw))
    return FALSE;
  decode_mailbox (ctx, raw, &list->mailbox);

  if (ctx->i < ctx->n)
    {
      guint close;
      GArray *extended = NULL;

      ctx->what = "extended data";
      t = _heron_imap_parse_peek (ctx);
      if (t->type != TOK_LPAREN)
        return _heron_imap_parse_error (ctx, "expected extended data, got %s", token_kind_name (t));
      close = t->aux;
      ctx->i++;
      while (ctx->i < close)
        {
          const char *tag;
          guint first;

          if (!_heron_imap_parse_astring (ctx, &tag))
            return FALSE;
          first = ctx->i;
          if (g_ascii_strcasecmp (tag, "CHILDINFO") == 0)
            {
              if (!_heron_imap_parse_string_list (ctx, &list->childinfo))
                return FALSE;
            }
          else if (g_ascii_strcasecmp (tag, "OLDNAME") == 0)
            {
              const char *old;

              if (!expect (ctx, TOK_LPAREN, "\"(\"") ||
                  !_heron_imap_parse_astring (ctx, &old) ||
                  !expect (ctx, TOK_RPAREN, "\")\""))
                return FALSE;
              decode_mailbox (ctx, old, &list->oldname);
            }
          else
            {
              HeronImapExtItem item;

              if (!_heron_imap_parse_skip_value (ctx))
                return FALSE;
              if (ctx->i > close)
                return _heron_imap_parse_error (ctx, "extended data item without a value");
              item.tag = tag;
              item.raw = _heron_imap_parse_raw_text (ctx, first, ctx->i - 1);
              if (extended == NULL)
                extended = g_array_new (FALSE, FALSE, sizeof (HeronImapExtItem));
              g_array_append_val (extended, item);
            }
        }
      ctx->i = close + 1;
      if (extended != NULL)
        {
          HeronImapExtItem *items = _heron_imap_response_alloc (ctx->resp,
                                                                sizeof (HeronImapExtItem) *
                                                                extended->len);
          memcpy (items, extended->data, sizeof (HeronImapExtItem) * extended->len);
          list->extended = items;
          list->n_extended = extended->len;
          g_array_unref (extended);
        }
    }
  ctx->what = NULL;
  return expect_end (ctx);
}

static gboolean
parse_mailbox_status (ParseCtx               *ctx,
                      HeronImapMailboxStatus *status)
{
  const char *raw;
  guint close;

  ctx->what = "mailbox name";
  if (!_heron_imap_parse_astring (ctx, &raw))
    return FALSE;
  decode_mailbox (ctx, raw, &status->mailbox);

  ctx->what = "status items";
  if (_heron_imap_parse_peek (ctx) == NULL || _heron_imap_parse_peek (ctx)->type != TOK_LPAREN)
    return expect (ctx, TOK_LPAREN, "\"(\"");
  close = ctx->toks[ctx->i].aux;
  ctx->i++;
  while (ctx->i < close)
    {
      const Token *t = &ctx->toks[ctx->i];
      guint32 *n32 = NULL;
      guint64 *n64 = NULL;
      guint bit = 0;

      if (t->type != TOK_ATOM)
        return _heron_imap_parse_error (ctx, "expected a status item, got %s", token_kind_name (t));
      if (TOKEN_IS (ctx, t, "MESSAGES"))
        n32 = &status->messages, bit = HERON_IMAP_STATUS_MESSAGES;
      else if (TOKEN_IS (ctx, t, "UIDNEXT"))
        n32 = &status->uidnext, bit = HERON_IMAP_STATUS_UIDNEXT;
      else if (TOKEN_IS (ctx, t, "UIDVALIDITY"))
        n32 = &status->uidvalidity, bit = HERON_IMAP_STATUS_UIDVALIDITY;
      else if (TOKEN_IS (ctx, t, "UNSEEN"))
        n32 = &status->unseen, bit = HERON_IMAP_STATUS_UNSEEN;
      else if (TOKEN_IS (ctx, t, "RECENT"))
        n32 = &status->recent, bit = HERON_IMAP_STATUS_RECENT;
      else if (TOKEN_IS (ctx, t, "DELETED"))
        n32 = &status->deleted, bit = HERON_IMAP_STATUS_DELETED;
      else if (TOKEN_IS (ctx, t, "HIGHESTMODSEQ"))
        n64 = &status->highestmodseq, bit = HERON_IMAP_STATUS_HIGHESTMODSEQ;
      else if (TOKEN_IS (ctx, t, "SIZE"))
        n64 = &status->size, bit = HERON_IMAP_STATUS_SIZE;
      ctx->i++;
      if (ctx->i >= close)
        return _heron_imap_parse_error (ctx, "status item without a value");
      if (n32 != NULL && !_heron_imap_parse_number (ctx, n32))
        return FALSE;
      if (n64 != NULL && !_heron_imap_parse_number64 (ctx, n64))
        return FALSE;
      /* UIDNEXT and UIDVALIDITY are nz-numbers (RFC 3501, RFC 9051); STATUS HIGHESTMODSEQ may
       * be 0 (mod-sequence-valzer, RFC 7162). */
      if ((bit == HERON_IMAP_STATUS_UIDNEXT || bit == HERON_IMAP_STATUS_UIDVALIDITY) && *n32 == 0)
        return _heron_imap_parse_error (ctx, "STATUS %s must not be 0",
                                        bit == HERON_IMAP_STATUS_UIDNEXT ? "UIDNEXT" : "UIDVALIDITY");
      if (bit == 0 && !_heron_imap_parse_skip_value (ctx))
        return FALSE;
      status->items |= bit;
    }
  ctx->i = close + 1;
  ctx->what = NULL;
  return expect_end (ctx);
}

static gboolean
parse_esearch (ParseCtx         *ctx,
               HeronImapEsearch *es)
{
  const Token *t = _heron_imap_parse_peek (ctx);

  if (t != NULL && t->type == TOK_LPAREN)
    {
      ctx->what = "search correlator";
      ctx->i++;
      t = _heron_imap_parse_peek (ctx);
      if (t == NULL || !TOKEN_IS (ctx, t, "TAG"))
        return _heron_imap_parse_error (ctx, "expected TAG");
      ctx->i++;
      if (!_heron_imap_parse_astring (ctx, &es->tag) ||
          !expect (ctx, TOK_RPAREN, "\")\""))
        return FALSE;
    }
  t = _heron_imap_parse_peek (ctx);
  if (t != NULL && TOKEN_IS (ctx, t, "UID"))
    {
      es->uid = TRUE;
      ctx->i++;
    }
  ctx->what = "search return data";
  while (ctx->i < ctx->n)
    {
      t = &ctx->toks[ctx->i];
      if (t->type != TOK_ATOM)
        return _heron_imap_parse_error (ctx, "expected a return item, got %s", token_kind_name (t));
      ctx->i++;
      if (ctx->i >= ctx->n)
        return _heron_imap_parse_error (ctx, "return item without a value");
      if (TOKEN_IS (ctx, t, "MIN"))
        {
          if (!_heron_imap_parse_number (ctx, &es->min))
            return FALSE;
          es->items |= HERON_IMAP_ESEARCH_MIN;
        }
      else if (TOKEN_IS (ctx, t, "MAX"))
        {
          if (!_heron_imap_parse_number (ctx, &es->max))
            return FALSE;
          es->items |= HERON_IMAP_ESEARCH_MAX;
        }
      else if (TOKEN_IS (ctx, t, "COUNT"))
        {
          if (!_heron_imap_parse_number (ctx, &es->count))
            return FALSE;
          es->items |= HERON_IMAP_ESEARCH_COUNT;
        }
      else if (TOKEN_IS (ctx, t, "ALL"))
        {
          if (!parse_set_token (ctx, &es->all))
            return FALSE;
          es->items |= HERON_IMAP_ESEARCH_ALL;
        }
      else if (TOKEN_IS (ctx, t, "MODSEQ"))
        {
          if (!_heron_imap_parse_number64 (ctx, &es->modseq))
            return FALSE;
          es->items |= HERON_IMAP_ESEARCH_MODSEQ;
        }
      else if (!_heron_imap_parse_skip_value (ctx))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_vanished (ParseCtx          *ctx,
                HeronImapVanished *v)
{
  const Token *t = _heron_imap_parse_peek (ctx);

  if (t != NULL && t->type == TOK_LPAREN)
    {
      ctx->i++;
      t = _heron_imap_parse_peek (ctx);
      if (t == NULL || !TOKEN_IS (ctx, t, "EARLIER"))
        return _heron_imap_parse_error (ctx, "expected EARLIER");
      ctx->i++;
      if (!expect (ctx, TOK_RPAREN, "\")\""))
        return FALSE;
      v->earlier = TRUE;
    }
  ctx->what = "UIDs";
  if (!parse_set_token (ctx, &v->uids))
    return FALSE;
  ctx->what = NULL;
  return expect_end (ctx);
}

static gboolean
parse_id (ParseCtx    *ctx,
          HeronImapId *id)
{
  const Token *t = _heron_imap_parse_peek (ctx);
  HeronImapParam *pairs;
  guint n, close;

  if (t != NULL && (t->flags & TOKF_NIL))
    {
      id->is_nil = TRUE;
      ctx->i++;
      return expect_end (ctx);
    }
  if (t == NULL || t->type != TOK_LPAREN)
    return _heron_imap_parse_error (ctx, "expected \"(\" or NIL, got %s", token_kind_name (t));
  n = count_list (ctx, ctx->i);
  if (n % 2 != 0)
    return _heron_imap_parse_error (ctx, "field without a value");
  close = t->aux;
  pairs = _heron_imap_response_alloc (ctx->resp, sizeof (HeronImapParam) * (n / 2 + 1));
  ctx->i++;
  for (guint k = 0; k < n / 2; k++)
    if (!_heron_imap_parse_string (ctx, &pairs[k].name) ||
        !_heron_imap_parse_nstring (ctx, &pairs[k].value))
      return FALSE;
  if (ctx->i != close)
    return _heron_imap_parse_error (ctx, "expected \")\"");
  ctx->i++;
  id->pairs = pairs;
  id->n_pairs = n / 2;
  return expect_end (ctx);
}

static gboolean
parse_namespace_list (ParseCtx               *ctx,
                      HeronImapNamespaceList *list)
{
  const Token *t = _heron_imap_parse_peek (ctx);
  HeronImapNamespaceEntry *entries;
  guint n, close;

  if (t != NULL && (t->flags & TOKF_NIL))
    {
      ctx->i++;
      return TRUE;
    }
  if (t == NULL || t->type != TOK_LPAREN)
    return _heron_imap_parse_error (ctx, "expected \"(\" or NIL, got %s", token_kind_name (t));
  n = count_list (ctx, ctx->i);
  close = t->aux;
  entries = _heron_imap_response_alloc (ctx->resp, sizeof (HeronImapNamespaceEntry) * (n + 1));
  ctx->i++;
  for (guint k = 0; k < n; k++)
    {
      HeronImapNamespaceEntry *e = &entries[k];
      const char *prefix;
      guint inner_close, n_ext;

      t = _heron_imap_parse_peek (ctx);
      if (t == NULL || t->type != TOK_LPAREN)
        return _heron_imap_parse_error (ctx, "expected a namespace, got %s", token_kind_name (t));
      inner_close = t->aux;
      ctx->i++;
      if (!_heron_imap_parse_string (ctx, &prefix))
        return FALSE;
      decode_mailbox (ctx, prefix, &e->prefix);
      t = _heron_imap_parse_peek (ctx);
      if (t != NULL && t->type == TOK_QUOTED)
        e->delimiter = token_string (ctx, t);
      else if (t == NULL || !(t->flags & TOKF_NIL))
        return _heron_imap_parse_error (ctx, "expected a delimiter, got %s", token_kind_name (t));
      ctx->i++;
      n_ext = (inner_close - ctx->i) / 2 + 1;
      if (ctx->i < inner_close)
        {
          HeronImapNamespaceExt *ext = _heron_imap_response_alloc (ctx->resp,
                                                                   sizeof (HeronImapNamespaceExt) *
                                                                   n_ext);
          guint m = 0;

          while (ctx->i < inner_close)
            {
              if (!_heron_imap_parse_string (ctx, &ext[m].name) ||
                  !_heron_imap_parse_string_list (ctx, &ext[m].values))
                return FALSE;
              m++;
            }
          e->extensions = ext;
          e->n_extensions = m;
        }
      if (ctx->i != inner_close)
        return _heron_imap_parse_error (ctx, "expected \")\"");
      ctx->i++;
    }
  if (ctx->i != close)
    return _heron_imap_parse_error (ctx, "expected \")\"");
  ctx->i++;
  list->entries = entries;
  list->n_entries = n;
  return TRUE;
}

static gboolean
parse_quota (ParseCtx       *ctx,
             HeronImapQuota *quota)
{
  HeronImapQuotaResource *res;
  guint n, close;
  const Token *t;

  if (!_heron_imap_parse_astring (ctx, &quota->root))
    return FALSE;
  t = _heron_imap_parse_peek (ctx);
  if (t == NULL || t->type != TOK_LPAREN)
    return _heron_imap_parse_error (ctx, "expected \"(\", got %s", token_kind_name (t));
  n = count_list (ctx, ctx->i);
  if (n % 3 != 0)
    return _heron_imap_parse_error (ctx, "quota resource without usage and limit");
  close = t->aux;
  res = _heron_imap_response_alloc (ctx->resp, sizeof (HeronImapQuotaResource) * (n / 3 + 1));
  ctx->i++;
  for (guint k = 0; k < n / 3; k++)
    {
      t = _heron_imap_parse_peek (ctx);
      if (t->type != TOK_ATOM)
        return _heron_imap_parse_error (ctx, "expected a resource name, got %s",
                                        token_kind_name (t));
      res[k].name = token_string (ctx, t);
      ctx->i++;
      if (!_heron_imap_parse_number64 (ctx, &res[k].usage) ||
          !_heron_imap_parse_number64 (ctx, &res[k].limit))
        return FALSE;
    }
  ctx->i = close + 1;
  quota->resources = res;
  quota->n_resources = n / 3;
  return expect_end (ctx);
}

static gboolean
parse_quotaroot (ParseCtx           *ctx,
                 HeronImapQuotaRoot *qr)
{
  const char *raw;
  const char **roots;
  guint n = 0;

  if (!_heron_imap_parse_astring (ctx, &raw))
    return FALSE;
  decode_mailbox (ctx, raw, &qr->mailbox);
  roots = _heron_imap_response_alloc (ctx->resp, sizeof (char *) * (ctx->n - ctx->i + 1));
  while (ctx->i < ctx->n)
    if (!_heron_imap_parse_astring (ctx, &roots[n++]))
      return FALSE;
  roots[n] = NULL;
  qr->roots.items = roots;
  qr->roots.n_items = n;
  return TRUE;
}

/* "* SEARCH" *(SP nz-number) [SP "(" "MODSEQ" SP mod-sequence-value ")"], straight from the
 * line: a SEARCH of a big mailbox is millions of numbers, too many to tokenize first. */
static gboolean
parse_search (ParseCtx        *ctx,
              HeronImapSearch *search)
{
  const char *p = ctx->buf + ctx->parser->rest_off;
  const char *end = ctx->buf + ctx->parser->buf_len;
  guint n = 0;
  guint32 *numbers;
  gboolean in_word = FALSE;

  for (const char *q = p; q < end; q++)
    {
      if (*q == ' ')
        in_word = FALSE;
      else if (!in_word)
        {
          in_word = TRUE;
          n++;
        }
    }
  if (n > ctx->parser->limits.max_items)
    return _heron_imap_parser_fail (ctx->parser, ctx->error, HERON_IMAP_ERROR_LIMIT,
                                    "more than %u items", ctx->parser->limits.max_items);
  numbers = _heron_imap_response_alloc (ctx->resp, sizeof (guint32) * (n + 1));
  n = 0;
  while (p < end)
    {
      const char *start;
      guint64 v;

      if (*p == ' ')
        {
          p++;
          continue;
        }
      if (*p == '(')
        {
          const char *q;

          p++;
          if (end - p < 7 || !_heron_imap_ascii_caseeq (p, 6, "MODSEQ") || p[6] != ' ')
            return _heron_imap_parse_error (ctx, "expected (MODSEQ n) in SEARCH");
          p += 7;
          q = p;
          while (q < end && g_ascii_isdigit (*q))
            q++;
          if (!_heron_imap_digits_to_u64 (p, q - p, G_MAXINT64, &search->modseq) ||
              q >= end || *q != ')' || q + 1 != end)
            return _heron_imap_parse_error (ctx, "invalid (MODSEQ n) in SEARCH");
          search->has_modseq = TRUE;
          break;
        }
      start = p;
      while (p < end && *p != ' ')
        p++;
      if (!_heron_imap_digits_to_u64 (start, p - start, G_MAXUINT32, &v) || v == 0)
        return _heron_imap_parse_error (ctx, "invalid number \"%.*s\" in SEARCH",
                                        (int) MIN (p - start, 40), start);
      numbers[n++] = (guint32) v;
    }
  search->numbers = numbers;
  search->n_numbers = n;
  return TRUE;
}

gboolean
_heron_imap_parse_response (HeronImapParser *parser,
                            GError         **error)
{
  HeronImapResponse *resp = parser->resp;
  ParseCtx ctx;

  ctx.parser = parser;
  ctx.resp = resp;
  ctx.buf = parser->buf;
  ctx.toks = parser->toks;
  ctx.n = parser->n_toks;
  ctx.i = 0;
  ctx.what = NULL;
  ctx.utf8 = (parser->flags & HERON_IMAP_PARSER_FLAGS_UTF8) != 0;
  ctx.error = error;

  switch (parser->shape)
    {
    case SHAPE_CONTINUATION:
      resp->kind = HERON_IMAP_RESPONSE_CONTINUATION;
      resp->continuation.text = _heron_imap_make_text (resp, parser->buf + parser->rest_off,
                                           parser->buf_len - parser->rest_off);
      return TRUE;

    case SHAPE_STATUS:
      return _heron_imap_parse_status (&ctx);

    case SHAPE_SEARCH:
      resp->kind = HERON_IMAP_RESPONSE_SEARCH;
      return parse_search (&ctx, &resp->search);

    case SHAPE_RAW:
      resp->kind = HERON_IMAP_RESPONSE_UNKNOWN;
      resp->unknown.name = _heron_imap_response_strndup (resp, parser->buf + parser->name_off,
                                                         parser->name_len);
      resp->unknown.has_number = parser->has_number;
      resp->unknown.number = parser->number;
      resp->unknown.raw = _heron_imap_response_strndup (resp, parser->buf + parser->rest_off,
                                                        parser->buf_len - parser->rest_off);
      return TRUE;

    case SHAPE_TOKENS:
      if (parser->depth != 0)
        return _heron_imap_parse_error (&ctx, "%u unclosed \"(\"", parser->depth);
      break;

    case SHAPE_NONE:
    default:
      g_assert_not_reached ();
    }

  switch (parser->name)
    {
    case NAME_CAPABILITY:
      resp->kind = HERON_IMAP_RESPONSE_CAPABILITY;
      return parse_capability (&ctx, &resp->capability);

    case NAME_ENABLED:
      resp->kind = HERON_IMAP_RESPONSE_ENABLED;
      if (!parse_capability (&ctx, &resp->capability))
        return FALSE;
      /* The server speaks UTF-8 from the response after ENABLED on (RFC 6855 section 3). */
      for (guint k = 0; k < resp->capability.n_items; k++)
        {
          const char *c = resp->capability.items[k];

          if (g_ascii_strcasecmp (c, "UTF8=ACCEPT") == 0 ||
              g_ascii_strcasecmp (c, "UTF8=ONLY") == 0)
            parser->flags |= HERON_IMAP_PARSER_FLAGS_UTF8;
          else if (g_ascii_strcasecmp (c, "IMAP4REV2") == 0)
            parser->flags |= HERON_IMAP_PARSER_FLAGS_UTF8 | HERON_IMAP_PARSER_FLAGS_IMAP4REV2;
        }
      return TRUE;

    case NAME_LIST:
    case NAME_LSUB:
      resp->kind = HERON_IMAP_RESPONSE_LIST;
      return parse_list (&ctx, &resp->list);

    case NAME_STATUS:
      resp->kind = HERON_IMAP_RESPONSE_MAILBOX_STATUS;
      return parse_mailbox_status (&ctx, &resp->mailbox_status);

    case NAME_ESEARCH:
      resp->kind = HERON_IMAP_RESPONSE_ESEARCH;
      return parse_esearch (&ctx, &resp->esearch);

    case NAME_FLAGS:
      resp->kind = HERON_IMAP_RESPONSE_FLAGS;
      return _heron_imap_parse_flag_list (&ctx, &resp->flags) && expect_end (&ctx);

    case NAME_EXISTS:
    case NAME_RECENT:
    case NAME_EXPUNGE:
      resp->kind = parser->name == NAME_EXISTS ? HERON_IMAP_RESPONSE_EXISTS :
                   parser->name == NAME_RECENT ? HERON_IMAP_RESPONSE_RECENT :
                                                 HERON_IMAP_RESPONSE_EXPUNGE;
      resp->number = parser->number;
      return expect_end (&ctx);

    case NAME_VANISHED:
      resp->kind = HERON_IMAP_RESPONSE_VANISHED;
      return parse_vanished (&ctx, &resp->vanished);

    case NAME_ID:
      resp->kind = HERON_IMAP_RESPONSE_ID;
      return parse_id (&ctx, &resp->id);

    case NAME_NAMESPACE:
      resp->kind = HERON_IMAP_RESPONSE_NAMESPACE;
      return parse_namespace_list (&ctx, &resp->namespace_.personal) &&
             parse_namespace_list (&ctx, &resp->namespace_.other) &&
             parse_namespace_list (&ctx, &resp->namespace_.shared) &&
             expect_end (&ctx);

    case NAME_QUOTA:
      resp->kind = HERON_IMAP_RESPONSE_QUOTA;
      return parse_quota (&ctx, &resp->quota);

    case NAME_QUOTAROOT:
      resp->kind = HERON_IMAP_RESPONSE_QUOTAROOT;
      return parse_quotaroot (&ctx, &resp->quotaroot);

    case NAME_FETCH:
      resp->kind = HERON_IMAP_RESPONSE_FETCH;
      resp->fetch.seq = parser->number;
      return _heron_imap_parse_fetch (&ctx);

    case NAME_SEARCH:
    case NAME_UNKNOWN:
    default:
      g_assert_not_reached ();
    }
  return FALSE;
}
