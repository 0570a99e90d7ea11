/* heron-imap-fetch.c: the parse stage for FETCH (ENVELOPE, BODYSTRUCTURE, sections...)
 *
 * This is the hot path of a folder sync (100,000 of these per large folder), so it walks the
 * tokens once, allocates only from the response arena, knows the size of every list before it
 * fills it (each "(" token records its ")"), and interns system flags.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-imap-parser-private.h"

static const Token *
peek (ParseCtx *ctx)
{
  return ctx->i < ctx->n ? &ctx->toks[ctx->i] : NULL;
}

static gboolean
is_nil (const Token *t)
{
  return t != NULL && t->type == TOK_ATOM && (t->flags & TOKF_NIL);
}

static gboolean
expect_lparen (ParseCtx *ctx,
               guint    *close)
{
  const Token *t = peek (ctx);

  if (t == NULL || t->type != TOK_LPAREN)
    return _heron_imap_parse_error (ctx, "expected \"(\"");
  *close = t->aux;
  ctx->i++;
  return TRUE;
}

static gboolean
expect_close (ParseCtx *ctx,
              guint     close)
{
  if (ctx->i != close)
    return _heron_imap_parse_error (ctx, "expected \")\"");
  ctx->i++;
  return TRUE;
}

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

/* ---- ENVELOPE ---------------------------------------------------------------------------- */

static gboolean
parse_address_list (ParseCtx             *ctx,
                    HeronImapAddressList *list)
{
  const Token *t = peek (ctx);
  HeronImapAddress *addresses;
  guint close = 0, n;

  if (is_nil (t))
    {
      ctx->i++;
      return TRUE;
    }
  if (t == NULL || t->type != TOK_LPAREN)
    return _heron_imap_parse_error (ctx, "expected an address list");
  n = count_list (ctx, ctx->i);
  close = t->aux;
  ctx->i++;
  if (n == 0)
    {
      ctx->i = close + 1;
      return TRUE;
    }
  addresses = _heron_imap_response_alloc (ctx->resp, sizeof (HeronImapAddress) * n);
  for (guint k = 0; k < n; k++)
    {
      HeronImapAddress *a = &addresses[k];
      guint aclose = 0;

      if (!expect_lparen (ctx, &aclose) ||
          !_heron_imap_parse_nstring (ctx, &a->name) ||
          !_heron_imap_parse_nstring (ctx, &a->adl) ||
          !_heron_imap_parse_nstring (ctx, &a->mailbox) ||
          !_heron_imap_parse_nstring (ctx, &a->host) ||
          !expect_close (ctx, aclose))
        return FALSE;
      if (a->host == NULL)
        a->kind = a->mailbox == NULL ? HERON_IMAP_ADDRESS_GROUP_END : HERON_IMAP_ADDRESS_GROUP_START;
    }
  if (!expect_close (ctx, close))
    return FALSE;
  list->addresses = addresses;
  list->n_addresses = n;
  return TRUE;
}

static gboolean
parse_envelope (ParseCtx                 *ctx,
                const HeronImapEnvelope **out)
{
  HeronImapEnvelope *env = _heron_imap_response_alloc (ctx->resp, sizeof (HeronImapEnvelope));
  const char *saved = ctx->what;
  guint close = 0;

  ctx->what = "ENVELOPE";
  if (!expect_lparen (ctx, &close) ||
      !_heron_imap_parse_nstring (ctx, &env->date) ||
      !_heron_imap_parse_nstring (ctx, &env->subject) ||
      !parse_address_list (ctx, &env->from) ||
      !parse_address_list (ctx, &env->sender) ||
      !parse_address_list (ctx, &env->reply_to) ||
      !parse_address_list (ctx, &env->to) ||
      !parse_address_list (ctx, &env->cc) ||
      !parse_address_list (ctx, &env->bcc) ||
      !_heron_imap_parse_nstring (ctx, &env->in_reply_to) ||
      !_heron_imap_parse_nstring (ctx, &env->message_id) ||
      !expect_close (ctx, close))
    return FALSE;
  ctx->what = saved;
  *out = env;
  return TRUE;
}

/* ---- BODYSTRUCTURE ----------------------------------------------------------------------- */

static gboolean
parse_params (ParseCtx        *ctx,
              HeronImapParams *params)
{
  const Token *t = peek (ctx);
  HeronImapParam *p;
  guint n, close;

  if (is_nil (t))
    {
      ctx->i++;
      return TRUE;
    }
  if (t == NULL || t->type != TOK_LPAREN)
    return _heron_imap_parse_error (ctx, "expected a parameter list");
  n = count_list (ctx, ctx->i);
  if (n % 2 != 0)
    return _heron_imap_parse_error (ctx, "parameter without a value");
  close = t->aux;
  ctx->i++;
  p = _heron_imap_response_alloc (ctx->resp, sizeof (HeronImapParam) * (n / 2 + 1));
  for (guint k = 0; k < n / 2; k++)
    if (!_heron_imap_parse_string (ctx, &p[k].name) ||
        !_heron_imap_parse_nstring (ctx, &p[k].value))
      return FALSE;
  if (!expect_close (ctx, close))
    return FALSE;
  params->params = p;
  params->n_params = n / 2;
  return TRUE;
}

/* body-ext: [dsp [lang [loc *extension]]] after md5 or the multipart parameters */
static gboolean
parse_extension_tail (ParseCtx      *ctx,
                      HeronImapBody *body,
                      guint          close)
{
  const Token *t;

  if (ctx->i >= close)
    return TRUE;

  /* disposition: "(" string params ")" / nil; some servers send a bare string */
  t = peek (ctx);
  if (t->type == TOK_LPAREN)
    {
      guint dclose = t->aux;

      ctx->i++;
      if (!_heron_imap_parse_string (ctx, &body->disposition))
        return FALSE;
      if (ctx->i < dclose && !parse_params (ctx, &body->disposition_params))
        return FALSE;
      if (!expect_close (ctx, dclose))
        return FALSE;
    }
  else if (!_heron_imap_parse_nstring (ctx, &body->disposition))
    return FALSE;
  if (ctx->i >= close)
    return TRUE;

  /* language: nstring / "(" string *(SP string) ")" */
  t = peek (ctx);
  if (t->type == TOK_LPAREN)
    {
      if (!_heron_imap_parse_string_list (ctx, &body->language))
        return FALSE;
    }
  else
    {
      const char *lang;

      if (!_heron_imap_parse_nstring (ctx, &lang))
        return FALSE;
      if (lang != NULL)
        {
          const char **items = _heron_imap_response_alloc (ctx->resp, sizeof (char *) * 2);
          items[0] = lang;
          body->language.items = items;
          body->language.n_items = 1;
        }
    }
  if (ctx->i >= close)
    return TRUE;

  if (!_heron_imap_parse_nstring (ctx, &body->location))
    return FALSE;

  /* future extension data */
  while (ctx->i < close)
    if (!_heron_imap_parse_skip_value (ctx))
      return FALSE;
  return TRUE;
}

static gboolean parse_body (ParseCtx      *ctx,
                            HeronImapBody *body,
                            guint          depth);

static gboolean
parse_multipart (ParseCtx      *ctx,
                 HeronImapBody *body,
                 guint          close,
                 guint          depth)
{
  HeronImapBody *parts;
  guint n = 0;

  for (guint j = ctx->i; j < close && ctx->toks[j].type == TOK_LPAREN; n++)
    j = ctx->toks[j].aux + 1;

  parts = _heron_imap_response_alloc (ctx->resp, sizeof (HeronImapBody) * n);
  for (guint k = 0; k < n; k++)
    if (!parse_body (ctx, &parts[k], depth + 1))
      return FALSE;

  body->kind = HERON_IMAP_BODY_MULTIPART;
  body->type = "MULTIPART";
  body->parts = parts;
  body->n_parts = n;
  if (!_heron_imap_parse_string (ctx, &body->subtype))
    return FALSE;
  if (ctx->i < close)
    {
      body->has_extension = TRUE;
      if (!parse_params (ctx, &body->params) ||
          !parse_extension_tail (ctx, body, close))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_single (ParseCtx      *ctx,
              HeronImapBody *body,
              guint          close,
              guint          depth)
{
  const Token *t;

  if (!_heron_imap_parse_string (ctx, &body->type) ||
      !_heron_imap_parse_string (ctx, &body->subtype) ||
      !parse_params (ctx, &body->params) ||
      !_heron_imap_parse_nstring (ctx, &body->id) ||
      !_heron_imap_parse_nstring (ctx, &body->description) ||
      !_heron_imap_parse_nstring (ctx, &body->encoding))
    return FALSE;

  t = peek (ctx);
  if (is_nil (t))
    ctx->i++;  /* lenient: a size of NIL reads as 0 */
  else if (!_heron_imap_parse_number64 (ctx, &body->size))
    return FALSE;

  body->kind = HERON_IMAP_BODY_BASIC;
  if (g_ascii_strcasecmp (body->type, "MESSAGE") == 0 &&
      (g_ascii_strcasecmp (body->subtype, "RFC822") == 0 ||
       g_ascii_strcasecmp (body->subtype, "GLOBAL") == 0) &&
      (t = peek (ctx)) != NULL && t->type == TOK_LPAREN)
    {
      HeronImapBody *inner;

      body->kind = HERON_IMAP_BODY_MESSAGE;
      if (!parse_envelope (ctx, &body->envelope))
        return FALSE;
      inner = _heron_imap_response_alloc (ctx->resp, sizeof (HeronImapBody));
      if (!parse_body (ctx, inner, depth + 1))
        return FALSE;
      body->message_body = inner;
      if (!_heron_imap_parse_number64 (ctx, &body->lines))
        return FALSE;
    }
  else if (g_ascii_strcasecmp (body->type, "TEXT") == 0 &&
           (t = peek (ctx)) != NULL && t->type == TOK_ATOM && (t->flags & TOKF_DIGITS))
    {
      body->kind = HERON_IMAP_BODY_TEXT;
      if (!_heron_imap_parse_number64 (ctx, &body->lines))
        return FALSE;
    }

  if (ctx->i < close)
    {
      body->has_extension = TRUE;
      if (!_heron_imap_parse_nstring (ctx, &body->md5) ||
          !parse_extension_tail (ctx, body, close))
        return FALSE;
    }
  return TRUE;
}

static gboolean
parse_body (ParseCtx      *ctx,
            HeronImapBody *body,
            guint          depth)
{
  const Token *t = peek (ctx);
  guint close = 0;

  /* The tokenizer bounds nesting by max_depth; this is a second guard on the recursion. */
  if (depth > ctx->parser->limits.max_depth)
    return _heron_imap_parser_fail (ctx->parser, ctx->error, HERON_IMAP_ERROR_LIMIT,
                                    "body structure nested deeper than %u levels",
                                    ctx->parser->limits.max_depth);
  if (t == NULL || t->type != TOK_LPAREN)
    return _heron_imap_parse_error (ctx, "expected a body structure");
  close = t->aux;
  ctx->i++;
  t = peek (ctx);
  if (t != NULL && t->type == TOK_LPAREN)
    {
      if (!parse_multipart (ctx, body, close, depth))
        return FALSE;
    }
  else if (!parse_single (ctx, body, close, depth))
    return FALSE;
  return expect_close (ctx, close);
}

/* ---- INTERNALDATE ------------------------------------------------------------------------ */

static gint64
days_from_civil (gint64 y,
                 guint  m,
                 guint  d)
{
  gint64 era, yoe, doy, doe;

  y -= m <= 2;
  era = (y >= 0 ? y : y - 399) / 400;
  yoe = y - era * 400;
  doy = (153 * (m + (m > 2 ? -3 : 9)) + 2) / 5 + d - 1;
  doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + doe - 719468;
}

static gboolean
two_digits (const char *p,
            guint      *out)
{
  if (!g_ascii_isdigit (p[0]) || !g_ascii_isdigit (p[1]))
    return FALSE;
  *out = (p[0] - '0') * 10 + (p[1] - '0');
  return TRUE;
}

gboolean
_heron_imap_parse_date_time (const char *s,
                             gsize       len,
                             gint64     *unix_time,
                             gint32     *offset)
{
  static const char months[] = "JANFEBMARAPRMAYJUNJULAUGSEPOCTNOVDEC";
  guint day, month = 0, year, hh, mm, ss, zh, zm;
  const char *p = s;

  /* "dd-Mon-yyyy hh:mm:ss +zzzz" with day " d" or "dd"; "d-Mon..." accepted too */
  if (len == 25)
    {
      if (!g_ascii_isdigit (p[0]))
        return FALSE;
      day = p[0] - '0';
      p += 1;
    }
  else if (len == 26)
    {
      if (p[0] == ' ' && g_ascii_isdigit (p[1]))
        day = p[1] - '0';
      else if (!two_digits (p, &day))
        return FALSE;
      p += 2;
    }
  else
    return FALSE;

  if (p[0] != '-' || p[4] != '-' || p[9] != ' ' || p[12] != ':' || p[15] != ':' || p[18] != ' ')
    return FALSE;
  for (guint k = 0; k < 12; k++)
    if (_heron_imap_ascii_caseeq (p + 1, 3, months + k * 3))
      {
        month = k + 1;
        break;
      }
  if (month == 0)
    return FALSE;
  if (!g_ascii_isdigit (p[5]) || !g_ascii_isdigit (p[6]) || !g_ascii_isdigit (p[7]) ||
      !g_ascii_isdigit (p[8]))
    return FALSE;
  year = (p[5] - '0') * 1000 + (p[6] - '0') * 100 + (p[7] - '0') * 10 + (p[8] - '0');
  if (!two_digits (p + 10, &hh) || !two_digits (p + 13, &mm) || !two_digits (p + 16, &ss) ||
      (p[19] != '+' && p[19] != '-') || !two_digits (p + 20, &zh) || !two_digits (p + 22, &zm))
    return FALSE;
  if (day < 1 || day > 31 || hh > 23 || mm > 59 || ss > 60 || zm > 59)
    return FALSE;

  *offset = (gint32) ((zh * 60 + zm) * 60) * (p[19] == '-' ? -1 : 1);
  *unix_time = days_from_civil (year, month, day) * 86400 + hh * 3600 + mm * 60 + ss - *offset;
  return TRUE;
}

/* ---- FETCH ------------------------------------------------------------------------------- */

static gboolean
parse_objectid (ParseCtx    *ctx,
                const char **out)
{
  const Token *t = peek (ctx);
  guint close = 0;

  if (is_nil (t))
    {
      ctx->i++;
      *out = NULL;
      return TRUE;
    }
  return expect_lparen (ctx, &close) &&
         _heron_imap_parse_astring (ctx, out) &&
         expect_close (ctx, close);
}

gboolean
_heron_imap_parse_fetch (ParseCtx *ctx)
{
  HeronImapParser *parser = ctx->parser;
  HeronImapFetch *f = &ctx->resp->fetch;
  HeronImapBinarySize *sizes = NULL;
  guint n_sizes = 0;
  guint close = 0;

  if (!expect_lparen (ctx, &close))
    return FALSE;

  if (parser->n_sections > 0)
    {
      HeronImapBodySection *sections = _heron_imap_response_alloc (ctx->resp,
                                                                   sizeof (HeronImapBodySection) *
                                                                   parser->n_sections);
      for (guint k = 0; k < parser->n_sections; k++)
        sections[k] = *parser->sections[k];
      f->sections = sections;
      f->n_sections = parser->n_sections;
      f->fields |= HERON_IMAP_FETCH_SECTIONS;
    }

  while (ctx->i < close)
    {
      const Token *name = &ctx->toks[ctx->i];
      const char *p = ctx->buf + name->off;
      guint len = name->len;

      if (name->type != TOK_ATOM)
        return _heron_imap_parse_error (ctx, "expected a FETCH item name");
      ctx->i++;
      if (ctx->i >= close)
        return _heron_imap_parse_error (ctx, "FETCH item %.*s without a value",
                                        (int) MIN (len, 40), p);

      switch (g_ascii_toupper (p[0]))
        {
        case 'U':
          if (len == 3 && _heron_imap_ascii_caseeq (p, 3, "UID"))
            {
              ctx->what = "UID";
              if (!_heron_imap_parse_number (ctx, &f->uid))
                return FALSE;
              if (f->uid == 0)
                return _heron_imap_parse_error (ctx, "UID 0");
              f->fields |= HERON_IMAP_FETCH_UID;
              continue;
            }
          break;

        case 'F':
          if (len == 5 && _heron_imap_ascii_caseeq (p, 5, "FLAGS"))
            {
              ctx->what = "FLAGS";
              f->flags.system = 0;
              if (!_heron_imap_parse_flag_list (ctx, &f->flags))
                return FALSE;
              f->fields |= HERON_IMAP_FETCH_FLAGS;
              continue;
            }
          break;

        case 'M':
          if (len == 6 && _heron_imap_ascii_caseeq (p, 6, "MODSEQ"))
            {
              guint mclose = 0;

              ctx->what = "MODSEQ";
              if (!expect_lparen (ctx, &mclose) ||
                  !_heron_imap_parse_number64 (ctx, &f->modseq) ||
                  !expect_close (ctx, mclose))
                return FALSE;
              /* permsg-modsequence is a mod-sequence-value: positive (RFC 7162 section 7) */
              if (f->modseq == 0)
                return _heron_imap_parse_error (ctx, "MODSEQ of a message must not be 0");
              f->fields |= HERON_IMAP_FETCH_MODSEQ;
              continue;
            }
          break;

        case 'I':
          if (len == 12 && _heron_imap_ascii_caseeq (p, 12, "INTERNALDATE"))
            {
              const Token *v = peek (ctx);

              ctx->what = "INTERNALDATE";
              if (v->type != TOK_QUOTED ||
                  !_heron_imap_parse_date_time (ctx->buf + v->off, v->len, &f->internaldate,
                                                &f->internaldate_offset))
                return _heron_imap_parse_error (ctx, "invalid date-time");
              ctx->i++;
              f->fields |= HERON_IMAP_FETCH_INTERNALDATE;
              continue;
            }
          break;

        case 'R':
          if (len == 11 && _heron_imap_ascii_caseeq (p, 11, "RFC822.SIZE"))
            {
              ctx->what = "RFC822.SIZE";
              if (!_heron_imap_parse_number64 (ctx, &f->rfc822_size))
                return FALSE;
              f->fields |= HERON_IMAP_FETCH_RFC822_SIZE;
              continue;
            }
          break;

        case 'E':
          if (len == 8 && _heron_imap_ascii_caseeq (p, 8, "ENVELOPE"))
            {
              if (!parse_envelope (ctx, &f->envelope))
                return FALSE;
              f->fields |= HERON_IMAP_FETCH_ENVELOPE;
              continue;
            }
          if (len == 7 && _heron_imap_ascii_caseeq (p, 7, "EMAILID"))
            {
              ctx->what = "EMAILID";
              if (!parse_objectid (ctx, &f->email_id))
                return FALSE;
              f->fields |= HERON_IMAP_FETCH_EMAILID;
              continue;
            }
          break;

        case 'T':
          if (len == 8 && _heron_imap_ascii_caseeq (p, 8, "THREADID"))
            {
              ctx->what = "THREADID";
              if (!parse_objectid (ctx, &f->thread_id))
                return FALSE;
              f->fields |= HERON_IMAP_FETCH_THREADID;
              continue;
            }
          break;

        case 'P':
          if (len == 7 && _heron_imap_ascii_caseeq (p, 7, "PREVIEW"))
            {
              ctx->what = "PREVIEW";
              if (!_heron_imap_parse_nstring (ctx, &f->preview))
                return FALSE;
              f->fields |= HERON_IMAP_FETCH_PREVIEW;
              continue;
            }
          break;

        case 'B':
          if ((len == 13 && _heron_imap_ascii_caseeq (p, 13, "BODYSTRUCTURE")) ||
              (len == 4 && _heron_imap_ascii_caseeq (p, 4, "BODY")))
            {
              HeronImapBody *body = _heron_imap_response_alloc (ctx->resp, sizeof (HeronImapBody));

              ctx->what = len == 4 ? "BODY" : "BODYSTRUCTURE";
              if (!parse_body (ctx, body, 1))
                return FALSE;
              f->body = body;
              f->fields |= len == 4 ? HERON_IMAP_FETCH_BODY : HERON_IMAP_FETCH_BODYSTRUCTURE;
              continue;
            }
          if (len > 12 && _heron_imap_ascii_caseeq (p, 12, "BINARY.SIZE["))
            {
              const char *close_bracket = memchr (p + 12, ']', len - 12);

              ctx->what = "BINARY.SIZE";
              if (close_bracket == NULL || close_bracket != p + len - 1)
                return _heron_imap_parse_error (ctx, "invalid BINARY.SIZE section");
              if (sizes == NULL)
                sizes = _heron_imap_response_alloc (ctx->resp,
                                                    sizeof (HeronImapBinarySize) * (close - ctx->i));
              sizes[n_sizes].section = _heron_imap_response_strndup (ctx->resp, p + 12,
                                                                     close_bracket - p - 12);
              if (!_heron_imap_parse_number64 (ctx, &sizes[n_sizes].size))
                return FALSE;
              n_sizes++;
              f->fields |= HERON_IMAP_FETCH_BINARY_SIZE;
              continue;
            }
          break;

        default:
          break;
        }

      /* A body section was recognised by the tokenizer; anything else is unknown. */
      if (ctx->toks[ctx->i].type == TOK_BODY)
        {
          ctx->i++;
          continue;
        }
      if (memchr (p, '[', len) != NULL &&
          ((len > 5 && _heron_imap_ascii_caseeq (p, 5, "BODY[")) ||
           (len > 7 && _heron_imap_ascii_caseeq (p, 7, "BINARY["))))
        return _heron_imap_parse_error (ctx, "body section %.*s without a string value",
                                        (int) MIN (len, 60), p);
      if (len >= 6 && _heron_imap_ascii_caseeq (p, 6, "RFC822") &&
          (len == 6 || (len == 11 && _heron_imap_ascii_caseeq (p, 11, "RFC822.TEXT")) ||
           (len == 13 && _heron_imap_ascii_caseeq (p, 13, "RFC822.HEADER"))))
        return _heron_imap_parse_error (ctx, "%.*s without a string value", (int) len, p);

      ctx->what = "unknown item";
      if (!_heron_imap_parse_skip_value (ctx))
        return FALSE;
      f->n_unknown++;
    }

  ctx->what = NULL;
  if (!expect_close (ctx, close))
    return FALSE;
  if (ctx->i < ctx->n)
    return _heron_imap_parse_error (ctx, "unexpected data after the FETCH item list");

  f->binary_sizes = sizes;
  f->n_binary_sizes = n_sizes;
  return TRUE;
}
