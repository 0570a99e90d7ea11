/* heron-seed-text.c: the words of a body, as plain text, format=flowed text or HTML.
 *
 * A body is drawn from a generator snapshot in its HeronSeedText, so the plain and HTML versions
 * of one multipart/alternative say the same words.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "heron-seed-private.h"

#include <string.h>

/* ---- Wrapping text writer -------------------------------------------------------------------
 * Writes words into plain text (hard line breaks), format=flowed text (soft breaks end in a
 * space, RFC 3676) or HTML (newlines between words), wrapping at a width. */

typedef struct {
  GString             *out;
  HeronSeedTextStyle   style;
  HeronSeedHtmlFlavour flavour;
  guint                width;
  gsize                line_start;
  const char          *prefix;        /* quote markers at the start of each line (plain, flowed) */
  gboolean             at_line_start; /* nothing written on this line yet, not even the prefix */
  gboolean             no_sep;        /* the next word follows markup: no separator */
} TextWriter;

static void
tw_init (TextWriter *tw, GString *out, HeronSeedTextStyle style, HeronSeedHtmlFlavour flavour)
{
  tw->out = out;
  tw->style = style;
  tw->flavour = flavour;
  tw->width = style == HERON_SEED_TEXT_HTML ? 76 : 72;
  tw->line_start = out->len;
  tw->prefix = "";
  tw->at_line_start = TRUE;
  tw->no_sep = TRUE;
}

static void
tw_start_line (TextWriter *tw)
{
  if (tw->at_line_start)
    {
      tw->line_start = tw->out->len;
      g_string_append (tw->out, tw->prefix);
      tw->at_line_start = FALSE;
      tw->no_sep = TRUE;
    }
}

static void
tw_append_escaped (TextWriter *tw, const char *s, gsize len)
{
  if (tw->style != HERON_SEED_TEXT_HTML)
    {
      g_string_append_len (tw->out, s, (gssize) len);
      return;
    }
  for (gsize i = 0; i < len; i++)
    {
      switch (s[i])
        {
        case '<':
          g_string_append (tw->out, "&lt;");
          break;
        case '>':
          g_string_append (tw->out, "&gt;");
          break;
        case '&':
          g_string_append (tw->out, "&amp;");
          break;
        default:
          g_string_append_c (tw->out, s[i]);
          break;
        }
    }
}

/* One word that must not be split, after `sep` unless it opens a line. */
static void
tw_word (TextWriter *tw, const char *word, gsize len, const char *sep)
{
  gsize seplen;

  tw_start_line (tw);
  seplen = tw->no_sep ? 0 : strlen (sep);
  if (tw->out->len - tw->line_start + seplen + len > tw->width &&
      tw->out->len - tw->line_start > strlen (tw->prefix))
    {
      /* A flowed line that goes on ends in the space between the words (RFC 3676). */
      if (tw->style == HERON_SEED_TEXT_FLOWED)
        g_string_append (tw->out, seplen > 0 ? sep : " ");
      g_string_append_c (tw->out, '\n');
      tw->line_start = tw->out->len;
      g_string_append (tw->out, tw->prefix);
    }
  else
    g_string_append_len (tw->out, sep, (gssize) seplen);
  tw_append_escaped (tw, word, len);
  tw->no_sep = FALSE;
}

/* Text glued to the previous word: punctuation. */
static void
tw_glue (TextWriter *tw, const char *s)
{
  tw_start_line (tw);
  tw_append_escaped (tw, s, strlen (s));
  tw->no_sep = FALSE;
}

/* Words of `text` split at spaces. */
static void
tw_text (TextWriter *tw, const char *text)
{
  const char *p = text;

  while (*p != '\0')
    {
      const char *space = strchr (p, ' ');
      gsize len = space != NULL ? (gsize) (space - p) : strlen (p);

      if (len > 0)
        tw_word (tw, p, len, " ");
      p += len;
      while (*p == ' ')
        p++;
    }
}

/* Markup (HTML only) or literal text that is not wrapped. */
static void
tw_raw (TextWriter *tw, const char *s)
{
  const char *nl = strrchr (s, '\n');

  if (tw->at_line_start && tw->style != HERON_SEED_TEXT_HTML)
    tw_start_line (tw);
  g_string_append (tw->out, s);
  if (nl != NULL)
    tw->line_start = tw->out->len - strlen (nl + 1);
  tw->at_line_start = nl != NULL && nl[1] == '\0' && tw->style != HERON_SEED_TEXT_HTML;
  tw->no_sep = TRUE;
}

static void
tw_newline (TextWriter *tw)
{
  if (tw->style == HERON_SEED_TEXT_HTML)
    return;
  tw_start_line (tw);
  g_string_append_c (tw->out, '\n');
  tw->at_line_start = TRUE;
}

static void
tw_blank_line (TextWriter *tw)
{
  if (tw->style == HERON_SEED_TEXT_HTML)
    return;
  if (!tw->at_line_start)
    tw_newline (tw);
  /* A quoted empty line is the quote markers without the space after them. */
  g_string_append_len (tw->out, tw->prefix, (gssize) strspn (tw->prefix, ">"));
  g_string_append_c (tw->out, '\n');
  tw->at_line_start = TRUE;
}

static void
tw_paragraph_begin (TextWriter *tw)
{
  if (tw->style != HERON_SEED_TEXT_HTML)
    return;
  switch (tw->flavour)
    {
    case HERON_SEED_HTML_OUTLOOK:
      tw_raw (tw, "<p class=\"MsoNormal\">");
      break;
    case HERON_SEED_HTML_GMAIL:
      tw_raw (tw, "<div>");
      break;
    case HERON_SEED_HTML_PLAIN:
    default:
      tw_raw (tw, "<p>");
      break;
    }
}

static void
tw_paragraph_end (TextWriter *tw)
{
  if (tw->style != HERON_SEED_TEXT_HTML)
    {
      tw_blank_line (tw);
      return;
    }
  switch (tw->flavour)
    {
    case HERON_SEED_HTML_OUTLOOK:
      tw_raw (tw, "</p>\n<p class=\"MsoNormal\"><o:p>&nbsp;</o:p></p>\n");
      break;
    case HERON_SEED_HTML_GMAIL:
      tw_raw (tw, "</div>\n<div><br></div>\n");
      break;
    case HERON_SEED_HTML_PLAIN:
    default:
      tw_raw (tw, "</p>\n");
      break;
    }
}

static void
tw_line_break (TextWriter *tw)
{
  if (tw->style == HERON_SEED_TEXT_HTML)
    tw_raw (tw, "<br>\n");
  else
    tw_newline (tw);
}

/* ---- Sentences ----------------------------------------------------------------------------- */

static void
write_capitalized (TextWriter *tw, const char *word, gsize len, const char *sep)
{
  gunichar c = g_utf8_get_char (word);
  gunichar upper = g_unichar_toupper (c);
  char buf[96];
  gint n;
  const char *rest = g_utf8_next_char (word);
  gsize rest_len = len - (gsize) (rest - word);

  if (upper == c || rest_len + 6 > sizeof buf)
    {
      tw_word (tw, word, len, sep);
      return;
    }
  n = g_unichar_to_utf8 (upper, buf);
  memcpy (buf + n, rest, rest_len);
  tw_word (tw, buf, (gsize) n + rest_len, sep);
}

static void
write_phrase (TextWriter *tw, const HeronSeedLang *lang, const char *phrase, gboolean capitalize)
{
  const char *p = phrase;
  gboolean first = TRUE;

  if (lang->word_sep[0] == '\0')
    {
      tw_word (tw, phrase, strlen (phrase), "");
      return;
    }

  while (*p != '\0')
    {
      const char *space = strchr (p, ' ');
      gsize len = space != NULL ? (gsize) (space - p) : strlen (p);

      if (first && capitalize)
        write_capitalized (tw, p, len, lang->word_sep);
      else
        tw_word (tw, p, len, lang->word_sep);
      first = FALSE;
      p += len;
      while (*p == ' ')
        p++;
    }
}

static void
write_sentence (TextWriter *tw, HeronSeedRng *rng, const HeronSeedLang *lang)
{
  guint n = 1 + _heron_seed_below (rng, 3);
  gsize comma_len = strlen (lang->comma);
  char comma[16];

  /* The comma without its trailing space; the next word brings the separator. */
  if (comma_len > 0 && lang->comma[comma_len - 1] == ' ')
    comma_len--;
  g_assert (comma_len < sizeof comma);
  memcpy (comma, lang->comma, comma_len);
  comma[comma_len] = '\0';

  for (guint k = 0; k < n; k++)
    {
      write_phrase (tw, lang, lang->phrases[_heron_seed_below (rng, lang->n_phrases)], k == 0);
      if (k + 1 < n)
        tw_glue (tw, comma);
    }
  tw_glue (tw, lang->sentence_ends[_heron_seed_below (rng, lang->n_sentence_ends)]);
}

static void
write_paragraph (TextWriter *tw, HeronSeedRng *rng, const HeronSeedLang *lang)
{
  guint n = 1 + _heron_seed_below (rng, 5);

  tw_paragraph_begin (tw);
  for (guint i = 0; i < n; i++)
    write_sentence (tw, rng, lang);
  tw_paragraph_end (tw);
}

/* `template` with {n} and {d} replaced. */
void
_heron_seed_expand (GString *out, const char *template, const char *name, const char *date)
{
  for (const char *p = template; *p != '\0'; p++)
    {
      if (p[0] == '{' && p[1] == 'n' && p[2] == '}')
        {
          g_string_append (out, name);
          p += 2;
        }
      else if (p[0] == '{' && p[1] == 'd' && p[2] == '}')
        {
          g_string_append (out, date);
          p += 2;
        }
      else
        g_string_append_c (out, *p);
    }
}

/* ---- Text of a body -------------------------------------------------------------------------- */



static void
write_quote (TextWriter *tw, HeronSeedRng *rng, const HeronSeedText *ts)
{
  if (tw->style == HERON_SEED_TEXT_HTML)
    {
      if (tw->flavour == HERON_SEED_HTML_GMAIL)
        {
          tw_raw (tw, "<br>\n<div class=\"gmail_quote\"><div dir=\"ltr\" class=\"gmail_attr\">");
          tw_text (tw, ts->attribution1);
          tw_raw (tw, "<br></div>\n<blockquote class=\"gmail_quote\" style=\"margin:0px 0px 0px "
                      "0.8ex;border-left:1px solid rgb(204,204,204);padding-left:1ex\">\n");
        }
      else
        {
          tw_raw (tw, "<div class=\"moz-cite-prefix\">");
          tw_text (tw, ts->attribution1);
          tw_raw (tw, "<br>\n</div>\n<blockquote type=\"cite\">\n");
        }
    }
  else
    {
      tw_text (tw, ts->attribution1);
      tw_newline (tw);
      tw->prefix = "> ";
    }

  for (guint i = 0; i < ts->quoted_paragraphs; i++)
    write_paragraph (tw, rng, ts->quote_lang);

  if (ts->quote_levels > 1)
    {
      if (tw->style == HERON_SEED_TEXT_HTML)
        {
          tw_raw (tw, "<div>");
          tw_text (tw, ts->attribution2);
          tw_raw (tw, "</div>\n<blockquote type=\"cite\">\n");
        }
      else
        {
          tw_text (tw, ts->attribution2);
          tw_newline (tw);
          tw->prefix = ">> ";
        }
      for (guint i = 0; i < 1 + ts->quoted_paragraphs / 2; i++)
        write_paragraph (tw, rng, ts->quote_lang);
      if (tw->style == HERON_SEED_TEXT_HTML)
        tw_raw (tw, "</blockquote>\n");
      else
        tw->prefix = "> ";
    }

  if (tw->style == HERON_SEED_TEXT_HTML)
    tw_raw (tw, tw->flavour == HERON_SEED_HTML_GMAIL ? "</blockquote></div>\n" : "</blockquote>\n");
  else
    tw->prefix = "";
}

static void
write_outlook_original (TextWriter *tw, HeronSeedRng *rng, const HeronSeedText *ts)
{
  const char *line = ts->outlook_block;

  if (tw->style == HERON_SEED_TEXT_HTML)
    tw_raw (tw, "<div style=\"border:none;border-top:solid #E1E1E1 1.0pt;padding:3.0pt 0cm 0cm "
                "0cm\">\n<p class=\"MsoNormal\">");
  else
    {
      tw_raw (tw, "________________________________");
      tw_newline (tw);
    }
  while (*line != '\0')
    {
      const char *nl = strchr (line, '\n');
      gsize len = nl != NULL ? (gsize) (nl - line) : strlen (line);
      char buf[384];

      g_strlcpy (buf, line, MIN (len + 1, sizeof buf));
      if (tw->style == HERON_SEED_TEXT_HTML)
        {
          const char *colon = strchr (buf, ':');

          if (colon != NULL)
            {
              g_string_append (tw->out, "<b>");
              g_string_append_len (tw->out, buf, colon - buf + 1);
              g_string_append (tw->out, "</b>");
              tw->no_sep = FALSE;
              tw_text (tw, colon + 1);
            }
          tw_line_break (tw);
        }
      else
        {
          tw_text (tw, buf);
          tw_newline (tw);
        }
      line += len;
      if (*line == '\n')
        line++;
    }
  if (tw->style == HERON_SEED_TEXT_HTML)
    tw_raw (tw, "</p>\n</div>\n");
  else
    tw_blank_line (tw);
  for (guint i = 0; i < ts->quoted_paragraphs; i++)
    write_paragraph (tw, rng, ts->quote_lang);
}

static void
write_signature (TextWriter *tw, const HeronSeedText *ts)
{
  if (tw->style == HERON_SEED_TEXT_HTML)
    tw_raw (tw, "<div class=\"signature\">-- <br>\n");
  else
    {
      /* "-- " is the signature separator, trailing space included (RFC 3676 4.3). */
      tw_raw (tw, "-- ");
      tw_newline (tw);
    }
  tw_text (tw, ts->signature_name);
  tw_line_break (tw);
  tw_text (tw, ts->signature_title);
  tw_glue (tw, ",");
  tw_text (tw, ts->company);
  if (tw->style == HERON_SEED_TEXT_HTML)
    tw_raw (tw, "</div>\n");
  else
    tw_newline (tw);
}

static void
write_newsletter (TextWriter *tw, HeronSeedRng *rng, const HeronSeedText *ts)
{
  guint n_articles = 3 + _heron_seed_below (rng, 6);
  char buf[512];

  if (tw->style == HERON_SEED_TEXT_HTML)
    {
      g_snprintf (buf, sizeof buf,
                  "<table role=\"presentation\" width=\"100%%\" cellpadding=\"0\" cellspacing=\"0\" "
                  "style=\"background:#f4f4f4\">\n<tr><td align=\"center\">\n"
                  "<table role=\"presentation\" width=\"600\" cellpadding=\"0\" cellspacing=\"0\" "
                  "style=\"background:#ffffff\">\n<tr><td><img src=\"https://img.%s/header/%016"
                  G_GINT64_MODIFIER "x.png\"\n width=\"600\" height=\"120\" alt=\"\" "
                  "style=\"display:block\"></td></tr>\n",
                  ts->newsletter_domain, ts->newsletter_key);
      tw_raw (tw, buf);
    }
  else
    {
      tw_text (tw, ts->newsletter_name);
      tw_newline (tw);
      tw_raw (tw, "========================================");
      tw_newline (tw);
      tw_blank_line (tw);
    }

  for (guint a = 0; a < n_articles; a++)
    {
      const char *topic = ts->lang->topics[_heron_seed_below (rng, ts->lang->n_topics)];
      guint article = 10000 + _heron_seed_below (rng, 90000);

      if (tw->style == HERON_SEED_TEXT_HTML)
        {
          g_snprintf (buf, sizeof buf,
                      "<tr><td style=\"padding:24px 32px 0 32px;font-family:Arial,sans-serif\">\n"
                      "<img src=\"https://img.%s/a/%u.jpg\" width=\"536\" height=\"240\"\n"
                      " alt=\"\" style=\"display:block\">\n"
                      "<h2 style=\"font-size:20px;color:#222222\">", ts->newsletter_domain, article);
          tw_raw (tw, buf);
          write_phrase (tw, ts->lang, topic, TRUE);
          tw_raw (tw, "</h2>\n");
          write_paragraph (tw, rng, ts->lang);
          g_snprintf (buf, sizeof buf,
                      "<p><a href=\"https://%s/a/%u?utm_source=newsletter&amp;utm_medium=email\"\n"
                      " style=\"color:#0b6bcb\">Read more</a></p>\n</td></tr>\n",
                      ts->newsletter_domain, article);
          tw_raw (tw, buf);
        }
      else
        {
          write_phrase (tw, ts->lang, topic, TRUE);
          tw_newline (tw);
          tw_blank_line (tw);
          write_paragraph (tw, rng, ts->lang);
          g_snprintf (buf, sizeof buf, "https://%s/a/%u?utm_source=newsletter",
                      ts->newsletter_domain, article);
          tw_text (tw, buf);
          tw_newline (tw);
          tw_blank_line (tw);
        }
    }

  g_snprintf (buf, sizeof buf, "https://%s/unsubscribe/%016" G_GINT64_MODIFIER "x",
              ts->newsletter_domain, ts->newsletter_key);
  if (tw->style == HERON_SEED_TEXT_HTML)
    {
      tw_raw (tw, "<tr><td style=\"padding:32px;font-size:12px;color:#888888\">\n"
                  "<a href=\"");
      tw_raw (tw, buf);
      tw_raw (tw, "\">Unsubscribe</a>\n"
                  "<img src=\"https://track.");
      tw_raw (tw, ts->newsletter_domain);
      tw_raw (tw, "/open.gif\" width=\"1\" height=\"1\" alt=\"\">\n"
                  "</td></tr>\n</table>\n</td></tr>\n</table>\n");
    }
  else
    {
      tw_text (tw, "Unsubscribe:");
      tw_text (tw, buf);
      tw_newline (tw);
    }
}

void
_heron_seed_render_text (const HeronSeedText *ts, GString *out, HeronSeedTextStyle style, HeronSeedHtmlFlavour flavour)
{
  HeronSeedRng rng = ts->rng;
  TextWriter tw;

  tw_init (&tw, out, style, flavour);

  if (style == HERON_SEED_TEXT_HTML)
    {
      const char *dir = ts->rtl ? "rtl" : "ltr";

      switch (flavour)
        {
        case HERON_SEED_HTML_OUTLOOK:
          g_string_append_printf (out,
            "<html xmlns:v=\"urn:schemas-microsoft-com:vml\" "
            "xmlns:o=\"urn:schemas-microsoft-com:office:office\"\n"
            "xmlns:w=\"urn:schemas-microsoft-com:office:word\" "
            "xmlns=\"http://www.w3.org/TR/REC-html40\">\n"
            "<head>\n<meta http-equiv=\"Content-Type\" content=\"text/html; charset=utf-8\">\n"
            "<meta name=\"Generator\" content=\"Microsoft Word 15 (filtered medium)\">\n%s"
            "</head>\n<body lang=\"EN-US\" link=\"#0563C1\" vlink=\"#954F72\" "
            "style=\"word-wrap:break-word\" dir=\"%s\">\n<div class=\"WordSection1\">\n",
            _heron_seed_html_styles[0], dir);
          break;
        case HERON_SEED_HTML_GMAIL:
          g_string_append_printf (out, "<div dir=\"%s\">", dir);
          break;
        case HERON_SEED_HTML_PLAIN:
        default:
          g_string_append_printf (out,
            "<html>\n<head>\n<meta http-equiv=\"content-type\" content=\"text/html; "
            "charset=UTF-8\">\n%s</head>\n<body dir=\"%s\">\n",
            _heron_seed_html_styles[ts->newsletter ? 2 : 1], dir);
          break;
        }
      tw.line_start = out->len;
      tw.no_sep = TRUE;
    }

  if (ts->newsletter)
    write_newsletter (&tw, &rng, ts);
  else
    {
      if (ts->quote == HERON_SEED_QUOTE_ABOVE)
        {
          write_quote (&tw, &rng, ts);
          tw_blank_line (&tw);
        }
      if (ts->intro != NULL)
        {
          tw_paragraph_begin (&tw);
          tw_text (&tw, ts->intro);
          tw_paragraph_end (&tw);
        }
      if (ts->greet != NULL)
        {
          GString *g = g_string_sized_new (96);

          _heron_seed_expand (g, ts->lang->greeting, ts->greet, "");
          tw_paragraph_begin (&tw);
          write_phrase (&tw, ts->lang, g->str, FALSE);
          tw_paragraph_end (&tw);
          g_string_free (g, TRUE);
        }
      for (guint i = 0; i < ts->n_paragraphs; i++)
        write_paragraph (&tw, &rng, ts->lang);
      if (ts->closing)
        {
          tw_paragraph_begin (&tw);
          write_phrase (&tw, ts->lang, ts->lang->closing, FALSE);
          tw_line_break (&tw);
          tw_text (&tw, ts->closing_name);
          tw_paragraph_end (&tw);
        }
      if (ts->signature)
        write_signature (&tw, ts);
      if (ts->quote == HERON_SEED_QUOTE_BELOW)
        {
          tw_blank_line (&tw);
          write_quote (&tw, &rng, ts);
        }
      else if (ts->quote == HERON_SEED_QUOTE_OUTLOOK)
        {
          tw_blank_line (&tw);
          write_outlook_original (&tw, &rng, ts);
        }
    }

  if (style == HERON_SEED_TEXT_HTML)
    {
      if (ts->cid != NULL)
        g_string_append_printf (out, "<p><img src=\"cid:%s\" width=\"%u\" height=\"%u\"\n"
                                " alt=\"\"></p>\n", ts->cid, ts->img_width, ts->img_height);
      switch (flavour)
        {
        case HERON_SEED_HTML_OUTLOOK:
          g_string_append (out, "</div>\n</body>\n</html>\n");
          break;
        case HERON_SEED_HTML_GMAIL:
          g_string_append (out, "</div>\n");
          break;
        case HERON_SEED_HTML_PLAIN:
        default:
          g_string_append (out, "</body>\n</html>\n");
          break;
        }
    }
  else if (out->len > 0 && out->str[out->len - 1] != '\n')
    g_string_append_c (out, '\n');
}

void
_heron_seed_render_paragraphs (GString *out, HeronSeedRng *rng, const HeronSeedLang *lang, guint n)
{
  TextWriter tw;

  tw_init (&tw, out, HERON_SEED_TEXT_PLAIN, HERON_SEED_HTML_PLAIN);
  for (guint i = 0; i < n; i++)
    write_paragraph (&tw, rng, lang);
}
