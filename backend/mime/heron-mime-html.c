/* heron-mime-html.c: HTML to plain text with libxml2's HTML parser
 *
 * The document is walked without recursion (parent pointers), so nesting depth costs nothing;
 * the output stops growing at its limit and the walk stops there too.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <libxml/HTMLparser.h>
#include <libxml/tree.h>

#include "heron-mime-html.h"
#include "heron-mime-message.h"
#include "heron-mime-private.h"

#define MAX_LISTS 16
#define MAX_LINKS 16

typedef enum {
  BLOCK_NONE,
  BLOCK_LINE,       /* starts and ends on its own line */
  BLOCK_PARAGRAPH,  /* with a blank line around it */
} BlockKind;

typedef struct {
  GString  *out;
  gsize     max;
  gboolean  full;
  guint     pre;
  guint     quote;
  guint     breaks;        /* newlines owed before the next text */
  gboolean  space;         /* a collapsed space owed before the next text */
  gboolean  line_start;    /* nothing written on the current line yet */
  guint     line_quote;    /* quote depth of the last line with content */
  guint     n_lists;
  struct { gboolean ordered; guint counter; } lists[MAX_LISTS];
  guint     n_lists_deep;  /* lists nested deeper than MAX_LISTS */
  guint     n_links;
  struct { char *href; gsize start; } links[MAX_LINKS];
  guint     n_links_deep;
} Ctx;

static gboolean
name_is (const xmlNode *node,
         const char    *name)
{
  return node->name != NULL && g_ascii_strcasecmp ((const char *) node->name, name) == 0;
}

static gboolean
name_in (const xmlNode      *node,
         const char * const *names)
{
  for (guint i = 0; names[i] != NULL; i++)
    if (name_is (node, names[i]))
      return TRUE;
  return FALSE;
}

static BlockKind
block_kind (const xmlNode *node)
{
  static const char * const paragraphs[] = {
    "p", "h1", "h2", "h3", "h4", "h5", "h6", "blockquote", "pre", "ul", "ol", "dl", "table",
    "hr", "address", "figure", "menu", NULL
  };
  static const char * const lines[] = {
    "div", "li", "tr", "dt", "dd", "section", "article", "header", "footer", "nav", "main",
    "aside", "form", "fieldset", "center", "caption", "figcaption", "details", "summary",
    "legend", "option", "body", "html", "tbody", "thead", "tfoot", NULL
  };

  if (name_in (node, paragraphs))
    return BLOCK_PARAGRAPH;
  if (name_in (node, lines))
    return BLOCK_LINE;
  return BLOCK_NONE;
}

static gboolean
is_hidden (const xmlNode *node)
{
  static const char * const skipped[] = {
    "script", "style", "head", "title", "template", "iframe", "object", "embed", "svg", "math",
    "frameset", "frame", "applet", "audio", "video", "canvas", "map", "img", "input",
    "textarea", "select", "button", NULL
  };
  xmlChar *style;
  gboolean hidden = FALSE;

  if (name_in (node, skipped))
    return TRUE;
  if (xmlHasProp ((xmlNode *) node, (const xmlChar *) "hidden") != NULL)
    return TRUE;
  style = xmlGetProp (node, (const xmlChar *) "style");
  if (style != NULL)
    {
      GString *compact = g_string_new (NULL);

      for (const xmlChar *p = style; *p != '\0'; p++)
        if (!g_ascii_isspace (*p))
          g_string_append_c (compact, g_ascii_tolower (*p));
      hidden = strstr (compact->str, "display:none") != NULL ||
               strstr (compact->str, "visibility:hidden") != NULL ||
               strstr (compact->str, "mso-hide:all") != NULL;
      g_string_free (compact, TRUE);
      xmlFree (style);
    }
  return hidden;
}

static void
check_full (Ctx *ctx)
{
  if (ctx->out->len >= ctx->max)
    ctx->full = TRUE;
}

static void
want_break (Ctx      *ctx,
            BlockKind kind)
{
  guint n = kind == BLOCK_PARAGRAPH ? 2 : kind == BLOCK_LINE ? 1 : 0;

  if (n == 0)
    return;
  ctx->breaks = MAX (ctx->breaks, n);
  ctx->space = FALSE;
}

/* Writes owed line breaks and the quote prefix before content. */
static void
begin_content (Ctx *ctx)
{
  if (ctx->out->len > 0 && ctx->breaks > 0)
    {
      guint have = 0;

      /* newlines already written count towards the ones owed */
      for (gsize i = ctx->out->len; i > 0 && ctx->out->str[i - 1] == '\n' && have < 2; i--)
        have++;
      for (guint i = have; i < ctx->breaks; i++)
        {
          /* a blank line inside a quote keeps its quote marks */
          if (ctx->out->str[ctx->out->len - 1] == '\n')
            for (guint q = 0; q < MIN (ctx->quote, ctx->line_quote); q++)
              g_string_append_c (ctx->out, '>');
          g_string_append_c (ctx->out, '\n');
        }
      if (ctx->out->str[ctx->out->len - 1] == '\n')
        ctx->line_start = TRUE;
      ctx->space = FALSE;
    }
  ctx->breaks = 0;
  if (ctx->line_start)
    {
      for (guint i = 0; i < ctx->quote; i++)
        g_string_append_c (ctx->out, '>');
      if (ctx->quote > 0)
        g_string_append_c (ctx->out, ' ');
      ctx->line_quote = ctx->quote;
      ctx->line_start = FALSE;
      ctx->space = FALSE;
    }
  if (ctx->space)
    g_string_append_c (ctx->out, ' ');
  ctx->space = FALSE;
}

static void
hard_newline (Ctx *ctx)
{
  if (ctx->breaks > 0)
    begin_content (ctx);
  if (ctx->line_start && ctx->quote > 0)
    {
      /* an empty quoted line keeps its quote marks */
      for (guint i = 0; i < ctx->quote; i++)
        g_string_append_c (ctx->out, '>');
    }
  g_string_append_c (ctx->out, '\n');
  ctx->line_start = TRUE;
  ctx->space = FALSE;
  check_full (ctx);
}

static gboolean
is_dropped_char (gunichar c)
{
  return c == 0x200B || c == 0x200C || c == 0x200D || c == 0xFEFF || c == 0x034F ||
         c == 0x00AD || c == 0x2060;
}

static void
write_text (Ctx        *ctx,
            const char *text)
{
  for (const char *p = text; *p != '\0' && !ctx->full; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_dropped_char (c))
        continue;
      if (ctx->pre > 0)
        {
          if (c == '\r')
            continue;
          if (c == '\n')
            {
              hard_newline (ctx);
              continue;
            }
          begin_content (ctx);
          g_string_append_unichar (ctx->out, c == 0xA0 ? ' ' : c);
          continue;
        }
      if (c == ' ' || c == '\t' || c == '\n' || c == '\r' || c == '\f' || c == 0xA0 ||
          c == 0x2007 || c == 0x202F)
        {
          ctx->space = TRUE;
          continue;
        }
      begin_content (ctx);
      g_string_append_unichar (ctx->out, c);
      if ((ctx->out->len & 0xFF) == 0)
        check_full (ctx);
    }
  check_full (ctx);
}

static char *
link_target (const xmlNode *node)
{
  xmlChar *href = xmlGetProp (node, (const xmlChar *) "href");
  char *result = NULL;

  if (href == NULL)
    return NULL;
  {
    g_autofree char *trimmed = g_strstrip (g_strdup ((const char *) href));

    if (g_ascii_strncasecmp (trimmed, "http://", 7) == 0 ||
        g_ascii_strncasecmp (trimmed, "https://", 8) == 0 ||
        g_ascii_strncasecmp (trimmed, "mailto:", 7) == 0 ||
        g_ascii_strncasecmp (trimmed, "ftp://", 6) == 0)
      result = g_steal_pointer (&trimmed);
  }
  xmlFree (href);
  return result;
}

/* The text of a link is "the same" as its target when they differ only by the scheme, a
 * trailing slash or "mailto:". */
static gboolean
same_as_target (const char *text,
                const char *href)
{
  static const char * const schemes[] = { "mailto:", "https://", "http://", "ftp://", NULL };
  const char *h = href;
  const char *t = text;
  gsize hl, tl;

  for (guint i = 0; schemes[i] != NULL; i++)
    {
      gsize n = strlen (schemes[i]);

      if (g_ascii_strncasecmp (h, schemes[i], n) == 0)
        h += n;
      if (g_ascii_strncasecmp (t, schemes[i], n) == 0)
        t += n;
    }
  hl = strlen (h);
  tl = strlen (t);
  while (hl > 0 && h[hl - 1] == '/')
    hl--;
  while (tl > 0 && t[tl - 1] == '/')
    tl--;
  return hl == tl && g_ascii_strncasecmp (h, t, hl) == 0;
}

/* Returns FALSE to skip the node's children. */
static gboolean
enter (Ctx     *ctx,
       xmlNode *node)
{
  BlockKind kind;

  if (node->type == XML_TEXT_NODE || node->type == XML_CDATA_SECTION_NODE)
    {
      if (node->content != NULL)
        write_text (ctx, (const char *) node->content);
      return FALSE;
    }
  if (node->type != XML_ELEMENT_NODE)
    return FALSE;
  if (is_hidden (node))
    return FALSE;

  kind = block_kind (node);
  want_break (ctx, kind);

  if (name_is (node, "br"))
    hard_newline (ctx);
  else if (name_is (node, "hr"))
    {
      begin_content (ctx);
      g_string_append (ctx->out, "----------");
      want_break (ctx, BLOCK_PARAGRAPH);
    }
  else if (name_is (node, "blockquote"))
    ctx->quote++;
  else if (name_is (node, "pre"))
    ctx->pre++;
  else if (name_is (node, "ul") || name_is (node, "ol") || name_is (node, "menu"))
    {
      if (ctx->n_lists < MAX_LISTS)
        {
          xmlChar *start = xmlGetProp (node, (const xmlChar *) "start");

          ctx->lists[ctx->n_lists].ordered = name_is (node, "ol");
          ctx->lists[ctx->n_lists].counter = 0;
          if (start != NULL)
            {
              gint64 v = g_ascii_strtoll ((const char *) start, NULL, 10);

              if (v > 0 && v < 1000000)
                ctx->lists[ctx->n_lists].counter = (guint) v - 1;
              xmlFree (start);
            }
          ctx->n_lists++;
        }
      else
        ctx->n_lists_deep++;
      /* a nested list is a block of lines inside its item, not a paragraph */
      if (ctx->n_lists + ctx->n_lists_deep > 1)
        ctx->breaks = MIN (ctx->breaks, 1);
    }
  else if (name_is (node, "li"))
    {
      begin_content (ctx);
      if (ctx->n_lists > 0)
        {
          for (guint i = 1; i < ctx->n_lists; i++)
            g_string_append (ctx->out, "  ");
          if (ctx->lists[ctx->n_lists - 1].ordered)
            g_string_append_printf (ctx->out, "%u. ", ++ctx->lists[ctx->n_lists - 1].counter);
          else
            g_string_append (ctx->out, "\xe2\x80\xa2 ");
        }
      else
        g_string_append (ctx->out, "\xe2\x80\xa2 ");
    }
  else if (name_is (node, "td") || name_is (node, "th"))
    {
      if (!ctx->line_start && ctx->out->len > 0)
        ctx->space = TRUE;
    }
  else if (name_is (node, "a"))
    {
      if (ctx->n_links < MAX_LINKS)
        {
          ctx->links[ctx->n_links].href = link_target (node);
          ctx->links[ctx->n_links].start = ctx->out->len;
          ctx->n_links++;
        }
      else
        ctx->n_links_deep++;
    }
  check_full (ctx);
  return TRUE;
}

static void
leave (Ctx     *ctx,
       xmlNode *node)
{
  if (node->type != XML_ELEMENT_NODE)
    return;

  if (name_is (node, "blockquote") && ctx->quote > 0)
    ctx->quote--;
  else if (name_is (node, "pre") && ctx->pre > 0)
    ctx->pre--;
  else if (name_is (node, "ul") || name_is (node, "ol") || name_is (node, "menu"))
    {
      if (ctx->n_lists_deep > 0)
        ctx->n_lists_deep--;
      else if (ctx->n_lists > 0)
        ctx->n_lists--;
    }
  else if (name_is (node, "a"))
    {
      if (ctx->n_links_deep > 0)
        ctx->n_links_deep--;
      else if (ctx->n_links > 0)
        {
          char *href = ctx->links[ctx->n_links - 1].href;
          gsize start = MIN (ctx->links[ctx->n_links - 1].start, ctx->out->len);

          ctx->n_links--;
          if (href != NULL && !ctx->full)
            {
              g_autofree char *text = g_strstrip (g_strndup (ctx->out->str + start,
                                                             ctx->out->len - start));

              if (text[0] == '\0')
                {
                  begin_content (ctx);
                  g_string_append_printf (ctx->out, "<%s>", href);
                }
              else if (!same_as_target (text, href))
                g_string_append_printf (ctx->out, " <%s>", href);
              check_full (ctx);
            }
          g_free (href);
        }
    }

  /* a nested list ends with its item's line, not a paragraph */
  if ((name_is (node, "ul") || name_is (node, "ol") || name_is (node, "menu")) &&
      ctx->n_lists + ctx->n_lists_deep > 0)
    want_break (ctx, BLOCK_LINE);
  else
    want_break (ctx, block_kind (node));
}

char *
heron_mime_html_to_text (const char *html,
                         gssize      len,
                         gsize       max_bytes)
{
  Ctx ctx = { 0 };
  htmlDocPtr doc;
  xmlNode *n;
  xmlNode *top;

  g_return_val_if_fail (html != NULL, NULL);

  _heron_mime_ensure_init ();
  if (len < 0)
    len = strlen (html);
  if ((gsize) len > HERON_MIME_MAX_HTML_INPUT)
    {
      len = HERON_MIME_MAX_HTML_INPUT;
      while (len > 0 && ((guchar) html[len] & 0xC0) == 0x80)
        len--;
    }
  if (max_bytes == 0)
    max_bytes = HERON_MIME_MAX_TEXT_LENGTH;
  if (len == 0)
    return g_strdup ("");

  doc = htmlReadMemory (html, (int) len, NULL, "UTF-8",
                        HTML_PARSE_RECOVER | HTML_PARSE_NONET | HTML_PARSE_NOERROR |
                        HTML_PARSE_NOWARNING | HTML_PARSE_IGNORE_ENC | HTML_PARSE_COMPACT);
  if (doc == NULL)
    return g_strdup ("");

  ctx.out = g_string_sized_new (MIN ((gsize) len, max_bytes) / 2 + 16);
  ctx.max = max_bytes;
  ctx.line_start = TRUE;

  top = (xmlNode *) doc;
  n = doc->children;
  while (n != NULL && !ctx.full)
    {
      gboolean descend = enter (&ctx, n);

      if (descend && n->children != NULL)
        {
          n = n->children;
          continue;
        }
      if (descend)
        leave (&ctx, n);
      while (n != NULL && n->next == NULL)
        {
          n = n->parent;
          if (n == NULL || n == top)
            {
              n = NULL;
              break;
            }
          leave (&ctx, n);
        }
      if (n != NULL)
        n = n->next;
    }

  for (guint i = 0; i < ctx.n_links; i++)
    g_free (ctx.links[i].href);
  xmlFreeDoc (doc);

  _heron_mime_truncate_utf8 (ctx.out, max_bytes);
  /* no white space at the end */
  while (ctx.out->len > 0 && (ctx.out->str[ctx.out->len - 1] == '\n' ||
                              ctx.out->str[ctx.out->len - 1] == ' ' ||
                              ctx.out->str[ctx.out->len - 1] == '>'))
    {
      /* keep a '>' that is text, drop only the marks of an empty quoted line */
      if (ctx.out->str[ctx.out->len - 1] == '>')
        {
          gsize i = ctx.out->len;

          while (i > 0 && ctx.out->str[i - 1] == '>')
            i--;
          if (i > 0 && ctx.out->str[i - 1] != '\n')
            break;
          g_string_truncate (ctx.out, i);
          continue;
        }
      g_string_truncate (ctx.out, ctx.out->len - 1);
    }
  return g_string_free (ctx.out, FALSE);
}
