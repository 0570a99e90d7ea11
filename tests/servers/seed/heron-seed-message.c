/* heron-seed-message.c: one message of the corpus, headers and MIME structure.
 *
 * Line ends are LF only: Maildir files hold mail in the local convention and Dovecot converts
 * to CRLF on the wire (it reports the CRLF size from the W= field of the file name). Every line
 * stays far below the 998-octet limit of RFC 5322: text is wrapped at 72 to 76 columns, headers
 * are folded, binary content is base64 in 76-column lines.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "heron-seed-private.h"

#include <string.h>

/* ---- One message being built ---------------------------------------------------------------- */

typedef struct {
  HeronSeedGen        *gen;
  const HeronSeedMeta *meta;
  HeronSeedRng         rng;
  gint64               date;
  HeronSeedPerson      from;
  const HeronSeedLang *lang;
  HeronSeedHeaderMode  mode;
  guint8               mailer;
} Msg;

/* ---- Headers ------------------------------------------------------------------------------- */

static void
append_id (Msg *msg, GString *out, guint len)
{
  static const char alphabet[] = "0123456789BCDFGHJKLMNPQRSTVWXYZbcdfghjkmnpqrstvwxyz";

  for (guint i = 0; i < len; i++)
    g_string_append_c (out, alphabet[_heron_seed_below (&msg->rng, sizeof alphabet - 1)]);
}

static void
append_base64_noise (Msg *msg, GString *out, guint chars)
{
  static const char b64[] = "ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz0123456789+/";

  for (guint i = 0; i < chars; i++)
    g_string_append_c (out, b64[_heron_seed_below (&msg->rng, 64)]);
}

static const char *
sending_domain (Msg *msg)
{
  if (msg->meta->list >= 0 && !_heron_seed_lists[msg->meta->list].newsletter)
    return strchr (_heron_seed_lists[msg->meta->list].address, '@') + 1;
  return msg->from.domain;
}

static void
write_trace (Msg *msg, GString *out)
{
  HeronSeedGen *gen = msg->gen;
  const char *domain = sending_domain (msg);
  const char *owner_domain = gen->owner_domain;
  gint64 t = msg->date;
  guint delay = 1 + _heron_seed_below (&msg->rng, 20);

  if (msg->meta->list >= 0 && !_heron_seed_lists[msg->meta->list].newsletter)
    {
      const HeronSeedList *l = &_heron_seed_lists[msg->meta->list];
      const char *at = strchr (l->address, '@');

      g_string_append (out, "Return-Path: <");
      g_string_append_len (out, l->address, at - l->address);
      g_string_append_printf (out, "-bounces%s>\n", at);
    }
  else if (msg->meta->from == HERON_SEED_NEWSLETTER)
    g_string_append_printf (out, "Return-Path: <bounce-%08x@%s>\n",
                            (guint32) _heron_seed_rng_next (&msg->rng), domain);
  else
    g_string_append_printf (out, "Return-Path: <%s>\n", msg->from.address);
  g_string_append_printf (out, "Delivered-To: %s\n", gen->owner_address);

  g_string_append_printf (out, "Received: from mx.%s\n\tby imap.%s with LMTP\n\tid ",
                          owner_domain, owner_domain);
  append_base64_noise (msg, out, 22);
  g_string_append_printf (out, "\n\t(envelope-from <%s>)\n\tfor <%s>; ", msg->from.address,
                          gen->owner_address);
  _heron_seed_format_date (out, t + delay + 1, 0, HERON_SEED_DATE_ZERO_PADDED);
  g_string_append (out, "\n");

  g_string_append_printf (out, "Received: from mail-out.%s (mail-out.%s [203.0.113.%u])\n",
                          domain, domain, 1 + _heron_seed_below (&msg->rng, 250));
  if (_heron_seed_chance (&msg->rng, 800))
    g_string_append (out, "\t(using TLSv1.3 with cipher TLS_AES_256_GCM_SHA384 (256/256 bits)\n"
                          "\t key-exchange X25519 server-signature RSA-PSS (2048 bits)"
                          " server-digest SHA256)\n\t(No client certificate requested)\n");
  g_string_append_printf (out, "\tby mx.%s (Postfix) with ESMTPS id ", owner_domain);
  append_id (msg, out, 11);
  g_string_append_printf (out, "\n\tfor <%s>; ", gen->owner_address);
  _heron_seed_format_date (out, t + delay, 0, HERON_SEED_DATE_SPACE_PADDED);
  g_string_append (out, " (UTC)\n");

  if (msg->meta->from != HERON_SEED_NEWSLETTER && _heron_seed_chance (&msg->rng, 600))
    {
      /* One draw per statement: the order of evaluation of arguments is unspecified in C, and
       * the bytes must not depend on the compiler. */
      guint subnet = _heron_seed_below (&msg->rng, 8);
      guint host = 2 + _heron_seed_below (&msg->rng, 250);
      guint public_host = 1 + _heron_seed_below (&msg->rng, 250);

      g_string_append_printf (out, "Received: from [192.168.%u.%u] (unknown [198.51.100.%u])\n"
                              "\tby mail-out.%s (Postfix) with ESMTPSA id ",
                              subnet, host, public_host, domain);
      append_id (msg, out, 11);
      g_string_append (out, ";\n\t");
      _heron_seed_format_date (out, t, _heron_seed_zone_offset (msg->from.zone, t),
                               HERON_SEED_DATE_PLAIN);
      g_string_append (out, "\n");
    }

  if (_heron_seed_chance (&msg->rng, 700))
    {
      g_string_append_printf (out, "Authentication-Results: mx.%s;\n"
                              "\tdkim=pass (2048-bit key) header.d=%s header.i=@%s"
                              " header.b=", owner_domain, domain, domain);
      append_base64_noise (msg, out, 8);
      g_string_append_printf (out, ";\n\tspf=pass (mx.%s: domain of %s designates 203.0.113.7"
                              " as permitted sender)\n\tsmtp.mailfrom=%s;\n"
                              "\tdmarc=pass (p=none dis=none) header.from=%s\n",
                              owner_domain, domain, domain, domain);
      g_string_append_printf (out, "DKIM-Signature: v=1; a=rsa-sha256; c=relaxed/relaxed; d=%s;\n"
                              "\ts=%s; t=%" G_GINT64_FORMAT "; bh=", domain,
                              _heron_seed_chance (&msg->rng, 500) ? "selector1" : "mail", t);
      append_base64_noise (msg, out, 43);
      g_string_append (out, "=;\n\th=From:To:Subject:Date:Message-ID:MIME-Version:Content-Type;"
                            "\n\tb=");
      for (guint line = 0; line < 5; line++)
        {
          append_base64_noise (msg, out, line < 4 ? 70 : 64);
          g_string_append (out, line < 4 ? "\n\t " : "==\n");
        }
    }
}

static void
write_person (Msg *msg, GString *out, gsize *col, const HeronSeedPerson *p, gboolean first)
{
  gsize addr_len = strlen (p->address);
  gsize name_len = strlen (p->display);

  if (!first)
    {
      g_string_append_c (out, ',');
      *col += 1;
      /* Fold before an address that will not fit; a long encoded name folds by itself. */
      if (*col + MIN (name_len, 20) + addr_len + 4 > 76)
        {
          g_string_append (out, "\n\t");
          *col = 8;
        }
      else
        {
          g_string_append_c (out, ' ');
          *col += 1;
        }
    }

  if (name_len == 0)
    {
      g_string_append (out, p->address);
      *col += addr_len;
      return;
    }

  _heron_seed_header_text (out, col, p->display, msg->mode, TRUE);
  if (*col + addr_len + 3 > 78)
    {
      g_string_append (out, "\n ");
      *col = 1;
    }
  else
    {
      g_string_append_c (out, ' ');
      *col += 1;
    }
  g_string_append_printf (out, "<%s>", p->address);
  *col += addr_len + 2;
}

static void
write_address_header (Msg *msg, GString *out, const char *name, const guint *ids, guint n,
                      gint list_recipient)
{
  gsize col = strlen (name) + 2;
  gboolean first = TRUE;

  g_string_append_printf (out, "%s: ", name);
  if (list_recipient >= 0)
    {
      const HeronSeedList *l = &_heron_seed_lists[list_recipient];
      HeronSeedPerson lp = { 0 };

      g_strlcpy (lp.display, l->name, sizeof lp.display);
      g_strlcpy (lp.address, l->address, sizeof lp.address);
      write_person (msg, out, &col, &lp, TRUE);
      first = FALSE;
    }
  for (guint i = 0; i < n; i++)
    {
      HeronSeedPerson p;

      _heron_seed_person (msg->gen, ids[i], msg->meta->list, &p);
      write_person (msg, out, &col, &p, first);
      first = FALSE;
    }
  g_string_append_c (out, '\n');
}

static const char *
reply_prefix (Msg *msg)
{
  /* Outlook translates "Re:", the others write it as RFC 5322 suggests. */
  if (msg->mailer == HERON_SEED_MAILER_OUTLOOK)
    return msg->lang->reply_prefix;
  return "Re: ";
}

/* The subject as this message shows it, UTF-8, into gen->subject. */
static void
build_subject (Msg *msg)
{
  HeronSeedGen *gen = msg->gen;
  const HeronSeedMeta *root = &gen->chain[gen->chain_len - 1];

  g_string_truncate (gen->subject, 0);
  if (msg->meta->reply)
    g_string_append (gen->subject, reply_prefix (msg));
  if (root->forward)
    g_string_append (gen->subject, _heron_seed_langs[root->subject_lang].forward_prefix);
  _heron_seed_root_subject (gen, root, gen->subject);
}

static void
write_subject (Msg *msg, GString *out, const char *subject, HeronSeedHeaderMode mode)
{
  gsize col = 9;
  const char *rest = subject;
  const char *colon = strstr (subject, ": ");

  g_string_append (out, "Subject: ");
  /* An ASCII "Re: " stays outside the encoded words, as most mailers write it. */
  if (colon != NULL && colon - subject <= 4 && _heron_seed_is_ascii (subject, colon - subject) &&
      !_heron_seed_is_ascii (colon, strlen (colon)))
    {
      g_string_append_len (out, subject, colon - subject + 2);
      col += (gsize) (colon - subject) + 2;
      rest = colon + 2;
    }
  _heron_seed_header_text (out, &col, rest, mode, FALSE);
  g_string_append_c (out, '\n');
}

static void
write_date_header (Msg *msg, GString *out, const char *name, gint64 t, const HeronSeedPerson *p)
{
  gint offset = _heron_seed_zone_offset (p->zone, t);
  HeronSeedDateStyle style = HERON_SEED_DATE_PLAIN;
  gboolean comment = FALSE;

  switch (p->mailer)
    {
    case HERON_SEED_MAILER_OUTLOOK:
      if (_heron_seed_chance (&msg->rng, 500))
        offset = 0;
      break;
    case HERON_SEED_MAILER_WEBMAIL:
      style = HERON_SEED_DATE_ZERO_PADDED;
      comment = TRUE;
      break;
    case HERON_SEED_MAILER_PHONE:
      if (_heron_seed_chance (&msg->rng, 300))
        style = HERON_SEED_DATE_NO_WEEKDAY;
      break;
    default:
      break;
    }

  g_string_append_printf (out, "%s: ", name);
  _heron_seed_format_date (out, t, offset, style);
  if (comment && p->zone->abbrev != NULL)
    {
      const char *abbrev = offset != p->zone->minutes && p->zone->abbrev_dst != NULL
                           ? p->zone->abbrev_dst : p->zone->abbrev;

      g_string_append_printf (out, " (%s)", abbrev);
    }
  g_string_append_c (out, '\n');
}

/* ---- MIME parts ----------------------------------------------------------------------------- */

static void
make_boundary (Msg *msg, char *buf, gsize size)
{
  static const char alnum[] = "0123456789ABCDEFGHIJKLMNOPQRSTUVWXYZabcdefghijklmnopqrstuvwxyz";
  guint64 a = _heron_seed_rng_next (&msg->rng);
  guint64 b = _heron_seed_rng_next (&msg->rng);
  char random24[25];

  for (int i = 0; i < 24; i++)
    random24[i] = alnum[_heron_seed_below (&msg->rng, sizeof alnum - 1)];
  random24[24] = '\0';

  switch (msg->mailer)
    {
    case HERON_SEED_MAILER_THUNDERBIRD:
      g_snprintf (buf, size, "------------%s", random24);
      break;
    case HERON_SEED_MAILER_OUTLOOK:
      g_snprintf (buf, size, "_000_%016" G_GINT64_MODIFIER "X%08Xprod_", a, (guint32) b);
      break;
    case HERON_SEED_MAILER_GMAIL:
      g_snprintf (buf, size, "000000000000%012" G_GINT64_MODIFIER "x", a & G_GUINT64_CONSTANT (0xffffffffffff));
      break;
    case HERON_SEED_MAILER_APPLE:
    case HERON_SEED_MAILER_PHONE:
      g_snprintf (buf, size, "Apple-Mail=_%08X-%04X-%04X-%04X-%012" G_GINT64_MODIFIER "X",
                  (guint32) a, (guint) (a >> 32) & 0xffff, (guint) (a >> 48),
                  (guint) b & 0xffff, b >> 16);
      break;
    case HERON_SEED_MAILER_MUTT:
      g_snprintf (buf, size, "%.16s", random24);
      break;
    case HERON_SEED_MAILER_EVOLUTION:
      g_snprintf (buf, size, "=-%.22s", random24);
      break;
    case HERON_SEED_MAILER_WEBMAIL:
    default:
      g_snprintf (buf, size, "=_%016" G_GINT64_MODIFIER "x%016" G_GINT64_MODIFIER "x", a, b);
      break;
    }
}

static void
begin_multipart (Msg *msg, GString *out, const char *subtype, const char *extra, char *boundary,
                 gsize size)
{
  make_boundary (msg, boundary, size);
  g_string_append_printf (out, "Content-Type: multipart/%s;\n\tboundary=\"%s\"%s\n\n", subtype,
                          boundary, extra != NULL ? extra : "");
  if (msg->mailer == HERON_SEED_MAILER_THUNDERBIRD || msg->mailer == HERON_SEED_MAILER_OUTLOOK)
    g_string_append (out, "This is a multi-part message in MIME format.\n");
}

static void
next_part (GString *out, const char *boundary)
{
  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  g_string_append_printf (out, "--%s\n", boundary);
}

static void
end_multipart (GString *out, const char *boundary)
{
  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
  g_string_append_printf (out, "--%s--\n", boundary);
}

typedef enum {
  CTE_7BIT,
  CTE_8BIT,
  CTE_QP,
  CTE_BASE64,
} Cte;

static const char *const cte_names[] = { "7bit", "8bit", "quoted-printable", "base64" };

static void
encode_body (GString *out, const char *data, gsize len, Cte cte)
{
  switch (cte)
    {
    case CTE_QP:
      _heron_seed_qp (out, data, len);
      break;
    case CTE_BASE64:
      _heron_seed_base64 (out, (const guint8 *) data, len);
      break;
    case CTE_7BIT:
    case CTE_8BIT:
    default:
      g_string_append_len (out, data, (gssize) len);
      break;
    }
  if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
}

/* A text/plain or text/html part: rendered into gen->text, then encoded into `out`. With
 * `seven_bit`, never 8bit (inside a forwarded message). */
static void
emit_text_part (Msg *msg, GString *out, const HeronSeedText *ts, gboolean html, gboolean seven_bit)
{
  HeronSeedGen *gen = msg->gen;
  GString *text = gen->text;
  HeronSeedHtmlFlavour flavour;
  gboolean flowed = FALSE;
  /* format=flowed only where words are separated by spaces, so DelSp=no is always right. */
  gboolean spaced = ts->lang->word_sep[0] != '\0' && ts->quote_lang->word_sep[0] != '\0';
  gboolean ascii;
  const char *charset = "UTF-8";
  const char *data;
  gsize len;
  Cte cte;

  switch (msg->mailer)
    {
    case HERON_SEED_MAILER_OUTLOOK:
      flavour = HERON_SEED_HTML_OUTLOOK;
      break;
    case HERON_SEED_MAILER_GMAIL:
      flavour = HERON_SEED_HTML_GMAIL;
      break;
    default:
      flavour = HERON_SEED_HTML_PLAIN;
      break;
    }
  if (!html && spaced && (msg->mailer == HERON_SEED_MAILER_THUNDERBIRD ||
                          msg->mailer == HERON_SEED_MAILER_EVOLUTION ||
                          msg->mailer == HERON_SEED_MAILER_PHONE))
    flowed = TRUE;

  g_string_truncate (text, 0);
  _heron_seed_render_text (ts, text, html ? HERON_SEED_TEXT_HTML : flowed ? HERON_SEED_TEXT_FLOWED : HERON_SEED_TEXT_PLAIN, flavour);
  data = text->str;
  len = text->len;
  ascii = _heron_seed_is_ascii (data, len);

  if (ascii)
    {
      cte = html && msg->mailer == HERON_SEED_MAILER_OUTLOOK ? CTE_QP : CTE_7BIT;
      if (msg->mailer == HERON_SEED_MAILER_MUTT)
        charset = "us-ascii";
    }
  else if (!html && msg->from.legacy && !seven_bit &&
           (g_string_truncate (gen->scratch, 0),
            _heron_seed_to_latin1 (gen->scratch, data, len)))
    {
      /* An old mailer that still writes ISO-8859-1. */
      charset = "ISO-8859-1";
      data = gen->scratch->str;
      len = gen->scratch->len;
      cte = _heron_seed_chance (&msg->rng, 500) ? CTE_8BIT : CTE_QP;
    }
  else
    {
      switch (msg->mailer)
        {
        case HERON_SEED_MAILER_THUNDERBIRD:
        case HERON_SEED_MAILER_EVOLUTION:
        case HERON_SEED_MAILER_MUTT:
          cte = CTE_8BIT;
          break;
        case HERON_SEED_MAILER_GMAIL:
        case HERON_SEED_MAILER_PHONE:
          /* Mostly non-Latin text goes out as base64, Latin text as quoted-printable. */
          cte = (msg->lang != &_heron_seed_langs[HERON_SEED_LANG_EN] &&
                 !msg->lang->latin1 && msg->lang != &_heron_seed_langs[HERON_SEED_LANG_PL])
                ? CTE_BASE64 : CTE_QP;
          break;
        default:
          cte = CTE_QP;
          break;
        }
      if (seven_bit && cte == CTE_8BIT)
        cte = CTE_QP;
    }
  if (msg->mailer == HERON_SEED_MAILER_OUTLOOK)
    charset = ascii ? "us-ascii" : g_str_equal (charset, "UTF-8") ? "utf-8" : "iso-8859-1";

  g_string_append_printf (out, "Content-Type: text/%s; charset=\"%s\"%s\n",
                          html ? "html" : "plain", charset, flowed ? "; format=flowed" : "");
  g_string_append_printf (out, "Content-Transfer-Encoding: %s\n", cte_names[cte]);
  if (msg->mailer == HERON_SEED_MAILER_MUTT)
    g_string_append (out, "Content-Disposition: inline\n");
  g_string_append_c (out, '\n');
  encode_body (out, data, len, cte);
}

static void
format_attribution_date (GString *out, gint64 t, gint offset, HeronSeedLangId lang)
{
  static const char *const months[] = {
    "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
  };
  static const char *const days[] = { "Sun", "Mon", "Tue", "Wed", "Thu", "Fri", "Sat" };
  gint y, mo, d, h, mi, s, wd;

  _heron_seed_civil (t + offset * 60, &y, &mo, &d, &h, &mi, &s, &wd);
  switch (lang)
    {
    case HERON_SEED_LANG_EN:
      g_string_append_printf (out, "%s, %d %s %d at %02d:%02d", days[wd], d, months[mo - 1], y, h,
                              mi);
      break;
    case HERON_SEED_LANG_DE:
      g_string_append_printf (out, "%02d.%02d.%04d um %02d:%02d", d, mo, y, h, mi);
      break;
    case HERON_SEED_LANG_FR:
      g_string_append_printf (out, "%02d/%02d/%04d à %02d:%02d", d, mo, y, h, mi);
      break;
    default:
      g_string_append_printf (out, "%04d-%02d-%02d %02d:%02d", y, mo, d, h, mi);
      break;
    }
}

static void
person_label (GString *out, const HeronSeedPerson *p)
{
  if (p->display[0] != '\0')
    g_string_append_printf (out, "%s <%s>", p->display, p->address);
  else
    g_string_append (out, p->address);
}

static void
attribution_for (Msg *msg, const HeronSeedMeta *about, char *buf, gsize size)
{
  HeronSeedPerson p;
  gint64 t = _heron_seed_gen_date (msg->gen, about->index);
  g_autoptr(GString) date = g_string_new (NULL);
  g_autoptr(GString) name = g_string_new (NULL);
  g_autoptr(GString) line = g_string_new (NULL);

  _heron_seed_person (msg->gen, about->from, about->list, &p);
  format_attribution_date (date, t, _heron_seed_zone_offset (msg->from.zone, t), msg->from.lang);
  person_label (name, &p);
  _heron_seed_expand (line, msg->lang->attribution, name->str, date->str);
  g_strlcpy (buf, line->str, size);
}

static void
company_of (const char *domain, char *buf, gsize size)
{
  gsize n = strcspn (domain, ".");

  g_strlcpy (buf, domain, MIN (n + 1, size));
  buf[0] = g_ascii_toupper (buf[0]);
}

static void
text_spec_init (Msg *msg, HeronSeedText *ts, gsize target_bytes)
{
  HeronSeedGen *gen = msg->gen;
  const HeronSeedMeta *m = msg->meta;

  memset (ts, 0, sizeof *ts);
  _heron_seed_rng_init (&ts->rng, _heron_seed_rng_next (&msg->rng), HERON_SEED_STREAM_BODY, 1);
  ts->lang = msg->lang;
  ts->quote_lang = msg->lang;
  ts->rtl = msg->from.lang == HERON_SEED_LANG_AR;
  ts->n_paragraphs = 1 + (guint) (target_bytes / 260);
  ts->closing_name = msg->from.first;
  ts->signature_name = msg->from.display[0] != '\0' ? msg->from.display : msg->from.first;
  ts->signature_title = msg->from.title;
  company_of (msg->from.domain, ts->company, sizeof ts->company);

  if (m->from == HERON_SEED_NEWSLETTER)
    {
      const HeronSeedList *l = &_heron_seed_lists[m->list];

      ts->newsletter = TRUE;
      ts->newsletter_name = l->name;
      ts->newsletter_domain = msg->from.domain;
      ts->newsletter_key = _heron_seed_rng_next (&msg->rng);
      return;
    }

  if (m->list < 0 && m->n_to > 0 && _heron_seed_chance (&msg->rng, 850))
    {
      HeronSeedPerson to;

      _heron_seed_person (gen, m->to[0], m->list, &to);
      g_strlcpy (ts->greet_buf, to.greet[0] != '\0' ? to.greet : to.first, sizeof ts->greet_buf);
      ts->greet = ts->greet_buf;
    }
  ts->closing = _heron_seed_chance (&msg->rng, 750);
  ts->signature = _heron_seed_chance (&msg->rng, 550) && msg->from.title[0] != '\0';

  if (m->reply)
    {
      const HeronSeedMeta *parent = &gen->chain[1];
      HeronSeedPerson pp;

      _heron_seed_person (gen, parent->from, parent->list, &pp);
      ts->quote_lang = &_heron_seed_langs[pp.lang];
      ts->quoted_paragraphs = 1 + _heron_seed_below (&msg->rng, 3);
      switch (msg->mailer)
        {
        case HERON_SEED_MAILER_OUTLOOK:
          ts->quote = _heron_seed_chance (&msg->rng, 700) ? HERON_SEED_QUOTE_OUTLOOK : HERON_SEED_QUOTE_BELOW;
          break;
        case HERON_SEED_MAILER_MUTT:
        case HERON_SEED_MAILER_THUNDERBIRD:
        case HERON_SEED_MAILER_EVOLUTION:
          ts->quote = _heron_seed_chance (&msg->rng, 600) ? HERON_SEED_QUOTE_ABOVE : HERON_SEED_QUOTE_BELOW;
          break;
        default:
          ts->quote = _heron_seed_chance (&msg->rng, 100) ? HERON_SEED_QUOTE_NONE : HERON_SEED_QUOTE_BELOW;
          break;
        }
      ts->quote_levels = gen->chain_len > 2 && ts->quote != HERON_SEED_QUOTE_OUTLOOK &&
                         _heron_seed_chance (&msg->rng, 600) ? 2 : 1;
      attribution_for (msg, parent, ts->attribution1, sizeof ts->attribution1);
      if (ts->quote_levels > 1)
        attribution_for (msg, &gen->chain[2], ts->attribution2, sizeof ts->attribution2);
      if (ts->quote == HERON_SEED_QUOTE_OUTLOOK)
        {
          g_autoptr(GString) block = g_string_new ("From: ");
          gint64 t = _heron_seed_gen_date (gen, parent->index);

          person_label (block, &pp);
          g_string_append (block, "\nSent: ");
          _heron_seed_format_date (block, t, _heron_seed_zone_offset (msg->from.zone, t),
                                   HERON_SEED_DATE_PLAIN);
          g_string_append (block, "\nTo: ");
          if (parent->n_to > 0)
            {
              HeronSeedPerson to;

              _heron_seed_person (gen, parent->to[0], parent->list, &to);
              person_label (block, &to);
            }
          else if (parent->list >= 0)
            g_string_append (block, _heron_seed_lists[parent->list].address);
          g_string_append (block, "\nSubject: ");
          if (parent->reply)
            g_string_append (block, "RE: ");
          _heron_seed_root_subject (gen, &gen->chain[gen->chain_len - 1], block);
          g_strlcpy (ts->outlook_block, block->str, sizeof ts->outlook_block);
        }
    }
}

/* ---- Attachments ---------------------------------------------------------------------------- */

static gboolean
uses_rfc2231 (guint8 mailer)
{
  return mailer == HERON_SEED_MAILER_THUNDERBIRD || mailer == HERON_SEED_MAILER_MUTT ||
         mailer == HERON_SEED_MAILER_EVOLUTION || mailer == HERON_SEED_MAILER_APPLE;
}

static void
ics_line (GString *bin, const char *line)
{
  /* RFC 5545 3.1: fold at 75 octets, not inside a character; CRLF line ends. */
  gsize col = 0;

  for (const char *p = line; *p != '\0';)
    {
      const char *next = g_utf8_next_char (p);
      gsize cl = (gsize) (next - p);

      if (col + cl > 75)
        {
          g_string_append (bin, "\r\n ");
          col = 1;
        }
      g_string_append_len (bin, p, (gssize) cl);
      col += cl;
      p = next;
    }
  g_string_append (bin, "\r\n");
}

static void
ics_time (GString *out, gint64 t)
{
  gint y, mo, d, h, mi, s, wd;

  _heron_seed_civil (t, &y, &mo, &d, &h, &mi, &s, &wd);
  g_string_append_printf (out, "%04d%02d%02dT%02d%02d%02dZ", y, mo, d, h, mi, s);
}

static void
make_ics (Msg *msg, GString *bin)
{
  HeronSeedGen *gen = msg->gen;
  g_autoptr(GString) line = g_string_new (NULL);
  gint64 days_ahead = 1 + _heron_seed_below (&msg->rng, 14);
  gint64 hours_ahead = _heron_seed_below (&msg->rng, 8);
  gint64 start = (msg->date / 3600 + 24 * days_ahead + hours_ahead) * 3600;

  g_string_truncate (bin, 0);
  ics_line (bin, "BEGIN:VCALENDAR");
  ics_line (bin, "PRODID:-//Heron//heron-seed 1.0//EN");
  ics_line (bin, "VERSION:2.0");
  ics_line (bin, "METHOD:REQUEST");
  ics_line (bin, "BEGIN:VEVENT");
  g_string_printf (line, "UID:%016" G_GINT64_MODIFIER "x@%s", _heron_seed_rng_next (&msg->rng),
                   msg->from.domain);
  ics_line (bin, line->str);
  g_string_assign (line, "DTSTAMP:");
  ics_time (line, msg->date);
  ics_line (bin, line->str);
  g_string_assign (line, "DTSTART:");
  ics_time (line, start);
  ics_line (bin, line->str);
  g_string_assign (line, "DTEND:");
  ics_time (line, start + 1800 * (1 + _heron_seed_below (&msg->rng, 4)));
  ics_line (bin, line->str);
  g_string_assign (line, "SUMMARY:");
  _heron_seed_root_subject (gen, &gen->chain[gen->chain_len - 1], line);
  ics_line (bin, line->str);
  g_string_printf (line, "LOCATION:Room %u", 100 + _heron_seed_below (&msg->rng, 400));
  ics_line (bin, line->str);
  g_string_printf (line, "ORGANIZER;CN=\"%s\":mailto:%s",
                   msg->from.display[0] != '\0' ? msg->from.display : msg->from.first,
                   msg->from.address);
  ics_line (bin, line->str);
  g_string_printf (line, "ATTENDEE;CN=\"%s\";ROLE=REQ-PARTICIPANT;PARTSTAT=NEEDS-ACTION;RSVP=TRUE"
                   ":mailto:%s", gen->owner_name, gen->owner_address);
  ics_line (bin, line->str);
  ics_line (bin, "SEQUENCE:0");
  ics_line (bin, "STATUS:CONFIRMED");
  ics_line (bin, "END:VEVENT");
  ics_line (bin, "END:VCALENDAR");
}

static void
make_text_attachment (Msg *msg, GString *bin, gboolean csv)
{
  g_string_truncate (bin, 0);
  if (csv)
    {
      guint rows = 10 + _heron_seed_below (&msg->rng, 400);

      g_string_append (bin, "date,account,description,amount\n");
      for (guint r = 0; r < rows; r++)
        {
          guint month = 1 + _heron_seed_below (&msg->rng, 12);
          guint day = 1 + _heron_seed_below (&msg->rng, 28);
          guint account = 4000 + _heron_seed_below (&msg->rng, 900);
          guint item = _heron_seed_below (&msg->rng, 10000);
          guint units = _heron_seed_below (&msg->rng, 5000);
          guint cents = _heron_seed_below (&msg->rng, 100);

          g_string_append_printf (bin, "2024-%02u-%02u,%u,item %u,%u.%02u\n", month, day, account,
                                  item, units, cents);
        }
    }
  else
    {
      HeronSeedRng rng;
      guint n = 2 + _heron_seed_below (&msg->rng, 30);

      _heron_seed_rng_init (&rng, _heron_seed_rng_next (&msg->rng), HERON_SEED_STREAM_BODY, 2);
      _heron_seed_render_paragraphs (bin, &rng, msg->lang, n);
    }
}

static void
attachment_name (Msg *msg, HeronSeedAttKind kind, GString *name)
{
  const HeronSeedLang *lang = _heron_seed_chance (&msg->rng, 600)
                              ? msg->lang : &_heron_seed_langs[HERON_SEED_LANG_EN];
  const char *stem = lang->attachment_stems[_heron_seed_below (&msg->rng,
                                                                lang->n_attachment_stems)];
  const char *ext = _heron_seed_att_types[kind].extension;
  gint y, mo, d, h, mi, s, wd;

  g_string_truncate (name, 0);
  switch (kind)
    {
    case HERON_SEED_ATT_PNG:
      if (_heron_seed_chance (&msg->rng, 500))
        {
          _heron_seed_civil (msg->date + _heron_seed_zone_offset (msg->from.zone, msg->date) * 60
                             - 60 * _heron_seed_below (&msg->rng, 600),
                             &y, &mo, &d, &h, &mi, &s, &wd);
          g_string_printf (name, "Screenshot %04d-%02d-%02d at %02d.%02d.%02d.png", y, mo, d, h,
                           mi, s);
          return;
        }
      break;
    case HERON_SEED_ATT_JPEG:
      if (_heron_seed_chance (&msg->rng, 600))
        {
          g_string_printf (name, "IMG_%04u.JPG", 1000 + _heron_seed_below (&msg->rng, 9000));
          return;
        }
      break;
    case HERON_SEED_ATT_ICS:
      g_string_assign (name, "invite.ics");
      return;
    default:
      break;
    }

  g_string_append (name, stem);
  if (_heron_seed_chance (&msg->rng, 150))
    g_string_append (name, " – final version reviewed by legal and finance (2)");
  g_string_append_printf (name, ".%s", ext);
}

static gsize
attachment_size (Msg *msg, HeronSeedAttKind kind)
{
  switch (kind)
    {
    case HERON_SEED_ATT_PDF:
      return _heron_seed_lognormal (&msg->rng, 56 * 1024, 26, 4 * 1024, 2560 * 1024);
    case HERON_SEED_ATT_PNG:
      return _heron_seed_lognormal (&msg->rng, 90 * 1024, 22, 8 * 1024, 2560 * 1024);
    case HERON_SEED_ATT_JPEG:
      return _heron_seed_lognormal (&msg->rng, 90 * 1024, 24, 12 * 1024, 2560 * 1024);
    case HERON_SEED_ATT_DOCX:
      return _heron_seed_lognormal (&msg->rng, 30 * 1024, 20, 6 * 1024, 1024 * 1024);
    case HERON_SEED_ATT_ZIP:
    default:
      return _heron_seed_lognormal (&msg->rng, 90 * 1024, 28, 2 * 1024, 2560 * 1024);
    }
}

static void
emit_attachment (Msg *msg, GString *out, HeronSeedAttKind kind)
{
  HeronSeedGen *gen = msg->gen;
  GString *bin = gen->bin;
  const HeronSeedAttType *type = &_heron_seed_att_types[kind];
  g_autoptr(GString) name = g_string_new (NULL);
  gboolean rfc2231 = uses_rfc2231 (msg->mailer);
  Cte cte = CTE_BASE64;

  attachment_name (msg, kind, name);

  switch (kind)
    {
    case HERON_SEED_ATT_PDF:
      _heron_seed_make_pdf (bin, &msg->rng, attachment_size (msg, kind), name->str);
      break;
    case HERON_SEED_ATT_PNG:
      {
        gsize pixels = attachment_size (msg, kind) / 3;
        guint width = 320 + 160 * _heron_seed_below (&msg->rng, 8);
        guint height = (guint) MAX (pixels / width, 16);

        _heron_seed_make_png (bin, &msg->rng, width, height);
      }
      break;
    case HERON_SEED_ATT_JPEG:
      _heron_seed_make_binary (bin, &msg->rng, attachment_size (msg, kind),
                               "\xff\xd8\xff\xe0\x00\x10JFIF\x00\x01\x01\x00\x00\x48\x00\x48\x00"
                               "\x00", 20, "\xff\xd9", 2);
      break;
    case HERON_SEED_ATT_DOCX:
    case HERON_SEED_ATT_ZIP:
      _heron_seed_make_binary (bin, &msg->rng, attachment_size (msg, kind),
                               "PK\x03\x04\x14\x00\x06\x00", 8,
                               "PK\x05\x06\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00\x00"
                               "\x00\x00\x00\x00\x00", 22);
      break;
    case HERON_SEED_ATT_ICS:
      make_ics (msg, bin);
      break;
    case HERON_SEED_ATT_TEXT:
    case HERON_SEED_ATT_CSV:
    default:
      make_text_attachment (msg, bin, kind == HERON_SEED_ATT_CSV);
      if (_heron_seed_is_ascii (bin->str, bin->len) && _heron_seed_chance (&msg->rng, 500))
        cte = CTE_7BIT;
      else if (_heron_seed_chance (&msg->rng, 400))
        cte = CTE_QP;
      break;
    }

  g_string_append_printf (out, "Content-Type: %s", type->mime_type);
  if (kind == HERON_SEED_ATT_TEXT || kind == HERON_SEED_ATT_CSV || kind == HERON_SEED_ATT_ICS)
    g_string_append (out, "; charset=UTF-8");
  if (kind == HERON_SEED_ATT_ICS)
    g_string_append (out, "; method=REQUEST");
  /* Thunderbird writes name= as RFC 2047 and filename*= as RFC 2231; mutt both as RFC 2231. */
  _heron_seed_header_param (out, "name", name->str,
                            rfc2231 && msg->mailer != HERON_SEED_MAILER_THUNDERBIRD);
  g_string_append (out, "\nContent-Disposition: attachment");
  _heron_seed_header_param (out, "filename", name->str, rfc2231);
  if (msg->mailer == HERON_SEED_MAILER_OUTLOOK)
    g_string_append_printf (out, ";\n\tsize=%" G_GSIZE_FORMAT, bin->len);
  g_string_append_printf (out, "\nContent-Transfer-Encoding: %s\n\n", cte_names[cte]);
  encode_body (out, bin->str, bin->len, cte);
}

/* ---- Bodies --------------------------------------------------------------------------------- */

typedef enum {
  BODY_PLAIN,
  BODY_HTML,
  BODY_ALTERNATIVE,
} BodyKind;

static void
emit_inline_image (Msg *msg, GString *out, const char *cid, guint width, guint height)
{
  GString *bin = msg->gen->bin;

  _heron_seed_make_png (bin, &msg->rng, width, height);
  g_string_append (out, "Content-Type: image/png;\n\tname=\"image001.png\"\n"
                        "Content-Description: image001.png\n"
                        "Content-Disposition: inline;\n\tfilename=\"image001.png\"");
  g_string_append_printf (out, "; size=%" G_GSIZE_FORMAT "\nContent-ID: <%s>\n"
                          "Content-Transfer-Encoding: base64\n\n", bin->len, cid);
  encode_body (out, bin->str, bin->len, CTE_BASE64);
}

/* The HTML part, wrapped in multipart/related with its picture when the spec has one. */
static void
emit_html (Msg *msg, GString *out, const HeronSeedText *ts, gboolean seven_bit)
{
  char boundary[96];

  if (ts->cid == NULL)
    {
      emit_text_part (msg, out, ts, TRUE, seven_bit);
      return;
    }
  begin_multipart (msg, out, "related", ";\n\ttype=\"text/html\"", boundary, sizeof boundary);
  next_part (out, boundary);
  emit_text_part (msg, out, ts, TRUE, seven_bit);
  next_part (out, boundary);
  emit_inline_image (msg, out, ts->cid, ts->img_width, ts->img_height);
  end_multipart (out, boundary);
}

static void
emit_body (Msg *msg, GString *out, const HeronSeedText *ts, BodyKind kind, gboolean seven_bit)
{
  char boundary[96];

  switch (kind)
    {
    case BODY_PLAIN:
      emit_text_part (msg, out, ts, FALSE, seven_bit);
      break;
    case BODY_HTML:
      emit_html (msg, out, ts, seven_bit);
      break;
    case BODY_ALTERNATIVE:
    default:
      begin_multipart (msg, out, "alternative", NULL, boundary, sizeof boundary);
      next_part (out, boundary);
      emit_text_part (msg, out, ts, FALSE, seven_bit);
      next_part (out, boundary);
      emit_html (msg, out, ts, seven_bit);
      end_multipart (out, boundary);
      break;
    }
}

static BodyKind
choose_body (Msg *msg)
{
  /* Per mille plain, then alternative; the rest is HTML only. */
  static const guint16 shares[HERON_SEED_N_MAILERS][2] = {
    [HERON_SEED_MAILER_THUNDERBIRD] = { 550, 450 },
    [HERON_SEED_MAILER_OUTLOOK] = { 50, 880 },
    [HERON_SEED_MAILER_GMAIL] = { 80, 920 },
    [HERON_SEED_MAILER_APPLE] = { 350, 580 },
    [HERON_SEED_MAILER_MUTT] = { 1000, 0 },
    [HERON_SEED_MAILER_EVOLUTION] = { 700, 250 },
    [HERON_SEED_MAILER_WEBMAIL] = { 300, 450 },
    [HERON_SEED_MAILER_PHONE] = { 550, 400 },
  };
  guint r = _heron_seed_below (&msg->rng, 1000);

  if (msg->meta->from == HERON_SEED_NEWSLETTER)
    return r < 650 ? BODY_HTML : BODY_ALTERNATIVE;
  if (r < shares[msg->mailer][0])
    return BODY_PLAIN;
  if (r < shares[msg->mailer][0] + shares[msg->mailer][1])
    return BODY_ALTERNATIVE;
  return BODY_HTML;
}

/* The forwarded message inside message/rfc822: always 7-bit clean, so the enclosing part needs
 * no transfer encoding. */
static void
emit_forwarded (Msg *msg, GString *out)
{
  HeronSeedGen *gen = msg->gen;
  const HeronSeedMeta *root = &gen->chain[gen->chain_len - 1];
  HeronSeedMeta inner_meta = *msg->meta;
  Msg inner = *msg;
  HeronSeedPerson forwarder;
  HeronSeedText ts;
  g_autoptr(GString) subject = g_string_new (NULL);
  gint64 t;
  guint person;
  gsize col;

  /* Everything below draws from inner.rng, handed back to msg at the end. */
  t = msg->date - 3600 - (gint64) _heron_seed_below (&inner.rng, 20 * 86400);
  person = _heron_seed_below (&inner.rng, HERON_SEED_N_PEOPLE);
  _heron_seed_root_subject (gen, root, subject);

  /* The original author, who wrote to the forwarder. */
  inner_meta.reply = FALSE;
  inner_meta.from = person;
  inner_meta.n_to = 0;
  inner_meta.n_cc = 0;
  inner_meta.list = -1;
  inner.meta = &inner_meta;
  _heron_seed_person (gen, person, -1, &inner.from);
  inner.lang = &_heron_seed_langs[inner.from.lang];
  inner.mailer = inner.from.mailer;
  if (inner.mode == HERON_SEED_HDR_RAW_LATIN1 || inner.mode == HERON_SEED_HDR_RAW_UTF8)
    inner.mode = HERON_SEED_HDR_Q_UTF8;
  _heron_seed_person (gen, msg->meta->from, -1, &forwarder);

  g_string_append (out, "Content-Type: message/rfc822");
  _heron_seed_header_param (out, "name", "forwarded message.eml", FALSE);
  g_string_append (out, "\nContent-Disposition: attachment");
  _heron_seed_header_param (out, "filename", "forwarded message.eml", FALSE);
  g_string_append (out, "\n\n");

  g_string_append_printf (out, "Message-ID: <fwd-%016" G_GINT64_MODIFIER "x.%u@%s>\n",
                          _heron_seed_rng_next (&inner.rng), msg->meta->index, inner.from.domain);
  write_date_header (&inner, out, "Date", t, &inner.from);
  g_string_append (out, "From: ");
  col = 6;
  write_person (&inner, out, &col, &inner.from, TRUE);
  g_string_append (out, "\nTo: ");
  col = 4;
  write_person (&inner, out, &col, &forwarder, TRUE);
  g_string_append_c (out, '\n');
  write_subject (&inner, out, subject->str, inner.mode);
  g_string_append (out, "MIME-Version: 1.0\n");

  text_spec_init (&inner, &ts, _heron_seed_lognormal (&inner.rng, 900, 16, 100, 8000));
  ts.greet = NULL;
  emit_body (&inner, out, &ts,
             _heron_seed_chance (&inner.rng, 500) ? BODY_PLAIN : BODY_ALTERNATIVE, TRUE);
  msg->rng = inner.rng;
}

static void
write_list_headers (Msg *msg, GString *out)
{
  const HeronSeedList *l = &_heron_seed_lists[msg->meta->list];
  const char *at = strchr (l->address, '@');
  g_autofree char *local = g_strndup (l->address, (gsize) (at - l->address));
  gsize col = 9;

  g_string_append (out, "List-Id: ");
  _heron_seed_header_text (out, &col, l->name, msg->mode == HERON_SEED_HDR_RAW_LATIN1 ||
                           msg->mode == HERON_SEED_HDR_RAW_UTF8 ? HERON_SEED_HDR_Q_UTF8 : msg->mode,
                           TRUE);
  g_string_append_printf (out, " <%s>\n", l->id);
  if (l->newsletter)
    {
      guint32 token = (guint32) _heron_seed_rng_next (&msg->rng);
      guint sender_id = _heron_seed_below (&msg->rng, 100000);

      g_string_append_printf (out, "List-Unsubscribe: <https://%s/unsubscribe/%08x>,\n"
                              "\t<mailto:unsubscribe@%s?subject=unsubscribe>\n"
                              "List-Unsubscribe-Post: List-Unsubscribe=One-Click\n"
                              "Precedence: bulk\n"
                              "Feedback-ID: %u:newsletter:%s\n",
                              at + 1, token, at + 1, sender_id, at + 1);
      return;
    }
  g_string_append_printf (out, "List-Unsubscribe: <mailto:%s-request%s?subject=unsubscribe>\n"
                          "List-Subscribe: <mailto:%s-request%s?subject=subscribe>\n"
                          "List-Archive: <https://%s/archives/%s/>\n"
                          "List-Post: <mailto:%s>\n"
                          "List-Help: <mailto:%s-request%s?subject=help>\n"
                          "Precedence: list\n",
                          local, at, local, at, at + 1, local, l->address, local, at);
}

void
_heron_seed_build_message (HeronSeedGen *gen, guint index, GString *out, gint64 *out_date,
                           char flags[8])
{
  const HeronSeedMeta *m;
  Msg msg;
  HeronSeedText ts;
  BodyKind kind;
  gboolean attach, forward;
  char boundary[96];
  char cid[96];
  gsize col;
  gsize start = out->len;

  _heron_seed_gen_chain (gen, index);
  m = &gen->chain[0];

  memset (&msg, 0, sizeof msg);
  msg.gen = gen;
  msg.meta = m;
  msg.date = _heron_seed_gen_date (gen, index);
  _heron_seed_rng_init (&msg.rng, gen->seed, HERON_SEED_STREAM_BODY, index);
  _heron_seed_person (gen, m->from, m->list, &msg.from);
  msg.lang = &_heron_seed_langs[msg.from.lang];
  msg.mailer = msg.from.mailer;

  /* How this sender's mailer writes non-ASCII header text. */
  {
    guint r = _heron_seed_below (&msg.rng, 1000);

    if (msg.from.legacy)
      msg.mode = r < 350 ? HERON_SEED_HDR_RAW_LATIN1
                         : r < 800 ? HERON_SEED_HDR_Q_LATIN1 : HERON_SEED_HDR_Q_UTF8;
    else
      msg.mode = r < 20 ? HERON_SEED_HDR_RAW_UTF8
                        : r < 100 ? HERON_SEED_HDR_Q_LATIN1
                                  : r < 550 ? HERON_SEED_HDR_B_UTF8 : HERON_SEED_HDR_Q_UTF8;
  }

  /* Flags, from a hash of their own so they do not shift the rest of the message. */
  {
    guint64 h = _heron_seed_hash (gen->seed, 0x3f, index);
    guint rank = gen->last_index >= index ? gen->last_index - index : 0;
    guint r = (guint) (h % 1000);
    gboolean seen, flagged, answered;
    char *f = flags;

    if (m->from == HERON_SEED_OWNER)
      seen = TRUE;
    else if (rank < 30)
      seen = r < 250;
    else if (rank < 300)
      seen = r < 900;
    else
      seen = r < 985;
    flagged = (h >> 12) % 1000 < 40;
    answered = seen && m->from != HERON_SEED_OWNER && m->from != HERON_SEED_NEWSLETTER &&
               (h >> 24) % 1000 < 150;
    if (flagged)
      *f++ = 'F';
    if (answered)
      *f++ = 'R';
    if (seen)
      *f++ = 'S';
    *f = '\0';
  }

  /* ---- Headers ---- */
  if (m->from != HERON_SEED_OWNER)
    write_trace (&msg, out);

  g_string_append (out, "Message-ID: <");
  _heron_seed_append_message_id (gen, out, m);
  g_string_append (out, ">\n");
  write_date_header (&msg, out, "Date", msg.date, &msg.from);

  g_string_append (out, "From: ");
  col = 6;
  write_person (&msg, out, &col, &msg.from, TRUE);
  g_string_append_c (out, '\n');

  if (m->list >= 0 && !_heron_seed_lists[m->list].newsletter)
    write_address_header (&msg, out, "To", m->to, m->n_to, m->list);
  else
    write_address_header (&msg, out, "To", m->to, m->n_to, -1);
  if (m->n_cc > 0)
    write_address_header (&msg, out, "Cc", m->cc, m->n_cc, -1);

  build_subject (&msg);
  write_subject (&msg, out, gen->subject->str, msg.mode);

  if (m->reply)
    {
      g_string_append (out, "In-Reply-To: <");
      _heron_seed_append_message_id (gen, out, &gen->chain[1]);
      g_string_append (out, ">\nReferences:");
      for (guint k = gen->chain_len; k-- > 1;)
        {
          g_string_append (out, k + 1 == gen->chain_len ? " <" : "\n <");
          _heron_seed_append_message_id (gen, out, &gen->chain[k]);
          g_string_append_c (out, '>');
        }
      g_string_append_c (out, '\n');
    }

  if (m->list >= 0)
    write_list_headers (&msg, out);

  if (msg.mailer == HERON_SEED_MAILER_OUTLOOK)
    {
      g_string_append (out, "Thread-Index: ");
      append_base64_noise (&msg, out, 30);
      g_string_append (out, "==\nContent-Language: ");
      g_string_append (out, msg.lang->code);
      g_string_append_c (out, '\n');
    }
  if (_heron_seed_mailers[msg.mailer].header != NULL && m->from != HERON_SEED_NEWSLETTER)
    g_string_append_printf (out, "%s: %s\n", _heron_seed_mailers[msg.mailer].header,
                            _heron_seed_mailers[msg.mailer].value);
  g_string_append (out, "MIME-Version: 1.0\n");

  /* ---- Body ---- */
  text_spec_init (&msg, &ts, _heron_seed_lognormal (&msg.rng, 3300, 18, 60, 48 * 1024));
  kind = choose_body (&msg);
  forward = m->forward && !m->reply;
  attach = !forward && m->from != HERON_SEED_NEWSLETTER && _heron_seed_chance (&msg.rng, 100);

  if (kind != BODY_PLAIN && m->from != HERON_SEED_NEWSLETTER && _heron_seed_chance (&msg.rng, 90))
    {
      guint stamp = _heron_seed_below (&msg.rng, 0x10000);
      guint32 unique = (guint32) _heron_seed_rng_next (&msg.rng);

      g_snprintf (cid, sizeof cid, "image001.png@01DA%04X.%08X", stamp, unique);
      ts.cid = cid;
      ts.img_width = 96 + 8 * _heron_seed_below (&msg.rng, 16);
      ts.img_height = 32 + 8 * _heron_seed_below (&msg.rng, 8);
    }

  if (forward)
    {
      ts.intro = msg.lang->forward_intro;
      ts.n_paragraphs = _heron_seed_below (&msg.rng, 2);
      ts.quote = HERON_SEED_QUOTE_NONE;
      begin_multipart (&msg, out, "mixed", NULL, boundary, sizeof boundary);
      next_part (out, boundary);
      emit_body (&msg, out, &ts, kind, FALSE);
      next_part (out, boundary);
      emit_forwarded (&msg, out);
      end_multipart (out, boundary);
    }
  else if (attach)
    {
      static const guint8 kind_weights[HERON_SEED_N_ATT] = { 30, 12, 15, 6, 5, 10, 15, 7 };
      guint r = _heron_seed_below (&msg.rng, 100);
      guint n = r < 70 ? 1 : r < 90 ? 2 : 3 + _heron_seed_below (&msg.rng, 2);

      begin_multipart (&msg, out, "mixed", NULL, boundary, sizeof boundary);
      next_part (out, boundary);
      emit_body (&msg, out, &ts, kind, FALSE);
      for (guint i = 0; i < n; i++)
        {
          guint total = 0, pick;
          guint k = 0;

          for (guint j = 0; j < HERON_SEED_N_ATT; j++)
            total += kind_weights[j];
          pick = _heron_seed_below (&msg.rng, total);
          while (pick >= kind_weights[k])
            pick -= kind_weights[k++];
          next_part (out, boundary);
          emit_attachment (&msg, out, (HeronSeedAttKind) k);
        }
      end_multipart (out, boundary);
    }
  else
    emit_body (&msg, out, &ts, kind, FALSE);

  g_assert (out->len > start);
  if (out_date != NULL)
    *out_date = msg.date;
}
