/* heron-mime-address.c: decoded mailboxes and a lenient RFC 5322 address-list parser
 *
 * The parser reads the structure from the raw value first and decodes display names afterwards,
 * so an encoded word can never add an address or a bracket: whatever it decodes to stays inside
 * the name, and HERON_MIME_DECODE_ENCODED_SPECIALS says so.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "heron-mime-address.h"
#include "heron-mime-private.h"

#define MAX_ADDRESS_BYTES 998
#define MAX_COMMENT_DEPTH 32

G_DEFINE_BOXED_TYPE (HeronMimeAddress, heron_mime_address, heron_mime_address_copy, heron_mime_address_free)

HeronMimeAddress *
heron_mime_address_new (const char *name,
                        const char *address)
{
  HeronMimeAddress *self = g_new0 (HeronMimeAddress, 1);

  self->name = g_strdup (name != NULL ? name : "");
  self->address = g_strdup (address != NULL ? address : "");
  return self;
}

HeronMimeAddress *
heron_mime_address_copy (const HeronMimeAddress *self)
{
  HeronMimeAddress *copy;

  g_return_val_if_fail (self != NULL, NULL);
  copy = heron_mime_address_new (self->name, self->address);
  copy->flags = self->flags;
  return copy;
}

void
heron_mime_address_free (HeronMimeAddress *self)
{
  if (self == NULL)
    return;
  g_free (self->name);
  g_free (self->address);
  g_free (self);
}

char *
heron_mime_address_to_string (const HeronMimeAddress *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  if (self->name[0] == '\0')
    return g_strdup (self->address);
  if (self->address[0] == '\0')
    return g_strdup (self->name);
  return g_strdup_printf ("%s <%s>", self->name, self->address);
}

gboolean
heron_mime_address_equal_addr (const char *a,
                               const char *b)
{
  g_autofree char *fa = NULL;
  g_autofree char *fb = NULL;

  if (a == NULL || b == NULL || *a == '\0' || *b == '\0')
    return FALSE;
  /* Local parts are case-sensitive by the RFC, but no real server treats them so; users expect
   * their own address to match when it comes back in another case. */
  fa = g_utf8_casefold (a, -1);
  fb = g_utf8_casefold (b, -1);
  return strcmp (fa, fb) == 0;
}

typedef struct {
  GString  *phrase;    /* display-name words, quoted strings unquoted */
  GString  *angle;     /* inside <...> */
  GString  *bare;      /* tokens outside brackets and comments, no white space */
  GString  *comment;   /* the last comment */
  gboolean  has_angle;
  gboolean  space;     /* white space before the next word */
} Item;

static void
item_reset (Item *item)
{
  g_string_truncate (item->phrase, 0);
  g_string_truncate (item->angle, 0);
  g_string_truncate (item->bare, 0);
  g_string_truncate (item->comment, 0);
  item->has_angle = FALSE;
  item->space = FALSE;
}

static void
phrase_add (Item       *item,
            const char *text,
            gsize       len)
{
  if (item->space && item->phrase->len > 0)
    g_string_append_c (item->phrase, ' ');
  g_string_append_len (item->phrase, text, len);
  item->space = FALSE;
}

/* The address as written, without white space and comments outside quotes, without a source
 * route, as valid UTF-8 with controls replaced. */
static char *
clean_address (const char *raw,
               gsize       len)
{
  GString *out = g_string_sized_new (len + 1);
  g_autofree char *utf8 = NULL;
  gboolean quoted = FALSE;
  int comment = 0;
  GString *clean;
  const char *colon;

  for (gsize i = 0; i < len; i++)
    {
      char c = raw[i];

      if (quoted)
        {
          g_string_append_c (out, c);
          if (c == '\\' && i + 1 < len)
            g_string_append_c (out, raw[++i]);
          else if (c == '"')
            quoted = FALSE;
          continue;
        }
      if (comment > 0)
        {
          if (c == '\\' && i + 1 < len)
            i++;
          else if (c == '(')
            comment++;
          else if (c == ')')
            comment--;
          continue;
        }
      if (c == '"')
        {
          quoted = TRUE;
          g_string_append_c (out, c);
        }
      else if (c == '(')
        comment = 1;
      else if (!g_ascii_isspace (c))
        g_string_append_c (out, c);
    }

  /* <@relay1,@relay2:user@host> */
  if (out->len > 0 && out->str[0] == '@' && (colon = strchr (out->str, ':')) != NULL)
    g_string_erase (out, 0, colon + 1 - out->str);
  if (out->len > MAX_ADDRESS_BYTES)
    g_string_truncate (out, MAX_ADDRESS_BYTES);

  utf8 = _heron_mime_to_utf8 ((const guchar *) out->str, out->len, NULL, NULL);
  g_string_free (out, TRUE);

  clean = g_string_new (NULL);
  for (const char *p = utf8; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0))
        c = 0xFFFD;
      g_string_append_unichar (clean, c);
    }
  return g_string_free (clean, FALSE);
}

static void
item_finish (Item      *item,
             GPtrArray *list)
{
  HeronMimeAddress *addr = NULL;

  if (list->len >= HERON_MIME_MAX_ADDRESSES)
    return;

  if (item->has_angle)
    {
      g_autofree char *address = clean_address (item->angle->str, item->angle->len);
      HeronMimeDecodeFlags flags = 0;
      g_autofree char *name = NULL;

      if (item->phrase->len > 0)
        name = heron_mime_decode_header (item->phrase->str, item->phrase->len, 0, &flags);
      else if (item->comment->len > 0)
        name = heron_mime_decode_header (item->comment->str, item->comment->len, 0, &flags);
      addr = heron_mime_address_new (name, address);
      addr->flags = flags;
    }
  else if (item->bare->len > 0 && memchr (item->bare->str, '@', item->bare->len) != NULL)
    {
      /* addr-spec, perhaps with the old "(Real Name)" comment */
      g_autofree char *address = clean_address (item->bare->str, item->bare->len);
      HeronMimeDecodeFlags flags = 0;
      g_autofree char *name = NULL;

      if (item->comment->len > 0)
        name = heron_mime_decode_header (item->comment->str, item->comment->len, 0, &flags);
      addr = heron_mime_address_new (name, address);
      addr->flags = flags;
    }
  else if (item->phrase->len > 0)
    {
      /* words without an address: keep them as the "address", so that nothing is hidden */
      HeronMimeDecodeFlags flags = 0;
      g_autofree char *text = heron_mime_decode_header (item->phrase->str, item->phrase->len,
                                                        MAX_ADDRESS_BYTES, &flags);

      addr = heron_mime_address_new (NULL, text);
      addr->flags = flags;
    }

  if (addr != NULL)
    g_ptr_array_add (list, addr);
  item_reset (item);
}

/* Returns the index after the closing quote; the content, unescaped, goes to out. */
static gsize
scan_quoted (const char *p,
             gsize       len,
             gsize       i,
             GString    *out)
{
  g_assert (p[i] == '"');
  for (i++; i < len; i++)
    {
      if (p[i] == '\\' && i + 1 < len)
        {
          g_string_append_c (out, p[++i]);
          continue;
        }
      if (p[i] == '"')
        return i + 1;
      g_string_append_c (out, p[i]);
    }
  return len;
}

static gsize
scan_comment (const char *p,
              gsize       len,
              gsize       i,
              GString    *out)
{
  int depth = 0;

  g_assert (p[i] == '(');
  g_string_truncate (out, 0);
  for (; i < len; i++)
    {
      char c = p[i];

      if (c == '\\' && i + 1 < len)
        {
          g_string_append_c (out, p[++i]);
          continue;
        }
      if (c == '(')
        {
          depth++;
          if (depth > 1 && depth <= MAX_COMMENT_DEPTH)
            g_string_append_c (out, c);
          continue;
        }
      if (c == ')')
        {
          depth--;
          if (depth == 0)
            return i + 1;
          g_string_append_c (out, c);
          continue;
        }
      g_string_append_c (out, c);
    }
  return len;
}

GPtrArray *
heron_mime_address_list_parse (const char *raw,
                               gssize      len)
{
  GPtrArray *list = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_mime_address_free);
  g_autofree char *value = NULL;
  Item item;
  gsize n, i = 0;
  gboolean in_group = FALSE;

  if (raw == NULL)
    return list;
  if (len < 0)
    len = strlen (raw);
  if ((gsize) len > HERON_MIME_MAX_HEADER_INPUT)
    len = HERON_MIME_MAX_HEADER_INPUT;

  value = _heron_mime_unfold (raw, len, NULL);
  n = strlen (value);

  item.phrase = g_string_new (NULL);
  item.angle = g_string_new (NULL);
  item.bare = g_string_new (NULL);
  item.comment = g_string_new (NULL);
  item_reset (&item);

  while (i < n && list->len < HERON_MIME_MAX_ADDRESSES)
    {
      char c = value[i];

      if (c == '"')
        {
          g_autoptr(GString) content = g_string_new (NULL);
          gsize end = scan_quoted (value, n, i, content);

          phrase_add (&item, content->str, content->len);
          g_string_append_len (item.bare, value + i, end - i);
          i = end;
        }
      else if (c == '(')
        {
          i = scan_comment (value, n, i, item.comment);
          item.space = TRUE;
        }
      else if (c == '<')
        {
          gboolean quoted = FALSE;
          gsize j = i + 1;

          /* up to the matching '>'; a missing one ends the item at ',' or the end */
          for (; j < n; j++)
            {
              if (quoted)
                {
                  if (value[j] == '\\' && j + 1 < n)
                    j++;
                  else if (value[j] == '"')
                    quoted = FALSE;
                  continue;
                }
              if (value[j] == '"')
                quoted = TRUE;
              else if (value[j] == '>' || value[j] == ',')
                break;
            }
          if (!item.has_angle)
            {
              item.has_angle = TRUE;
              g_string_append_len (item.angle, value + i + 1, j - i - 1);
            }
          i = (j < n && value[j] == '>') ? j + 1 : j;
        }
      else if (c == ',')
        {
          item_finish (&item, list);
          i++;
        }
      else if (c == ';')
        {
          item_finish (&item, list);
          in_group = FALSE;
          i++;
        }
      else if (c == ':' && !item.has_angle && !in_group &&
               memchr (item.bare->str, '@', item.bare->len) == NULL)
        {
          /* a group: its name is not an address */
          item_reset (&item);
          in_group = TRUE;
          i++;
        }
      else if (c == ' ' || c == '\t')
        {
          item.space = TRUE;
          i++;
        }
      else
        {
          gsize j = i;

          while (j < n && strchr ("(),:;<>\" \t", value[j]) == NULL)
            j++;
          if (j == i)
            j++;  /* a lone ':' or '>' outside its place */
          phrase_add (&item, value + i, j - i);
          g_string_append_len (item.bare, value + i, j - i);
          i = j;
        }
    }
  item_finish (&item, list);

  g_string_free (item.phrase, TRUE);
  g_string_free (item.angle, TRUE);
  g_string_free (item.bare, TRUE);
  g_string_free (item.comment, TRUE);
  return list;
}

GArray *
heron_mime_address_list_split (const char *text)
{
  GArray *spans;
  HeronMimeAddressSpan span = { 0, 0 };
  gboolean quoted = FALSE;
  guint comment = 0;
  guint angle = 0;
  gsize i;

  g_return_val_if_fail (text != NULL, NULL);

  spans = g_array_new (FALSE, FALSE, sizeof (HeronMimeAddressSpan));
  for (i = 0; text[i] != '\0'; i++)
    {
      char c = text[i];

      if ((quoted || comment > 0) && c == '\\')
        {
          if (text[i + 1] != '\0')
            i++;
        }
      else if (quoted)
        quoted = c != '"';
      else if (comment > 0)
        {
          if (c == '(')
            comment++;
          else if (c == ')')
            comment--;
        }
      else if (c == '"')
        quoted = TRUE;
      else if (c == '(')
        comment = 1;
      else if (c == '<')
        angle++;
      else if (c == '>' && angle > 0)
        angle--;
      else if (c == ',' && angle == 0)
        {
          span.end = i;
          g_array_append_val (spans, span);
          span.start = i + 1;
        }
    }
  span.end = i;
  g_array_append_val (spans, span);
  return spans;
}
