/* heron-mime-sender.c: the real-address rule (DESIGN.md, security rules)
 *
 * A sender whose display name holds an address, or could pass for another sender, is shown with
 * its real address. docs/mime.md lists the checks; each has a flag in HeronMimeSenderFlags.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "heron-mime-sender.h"

static gboolean
is_invisible (gunichar c)
{
  switch (c)
    {
    case 0x034F:                 /* combining grapheme joiner */
    case 0x061C:                 /* Arabic letter mark */
    case 0x115F: case 0x1160:    /* Hangul fillers */
    case 0x17B4: case 0x17B5:
    case 0x180E:
    case 0x3164: case 0xFFA0:
    case 0xFEFF:
      return TRUE;
    default:
      break;
    }
  if ((c >= 0x200B && c <= 0x200F) || (c >= 0x202A && c <= 0x202E) ||
      (c >= 0x2060 && c <= 0x206F) || (c >= 0xFE00 && c <= 0xFE0F) ||
      (c >= 0xE0000 && c <= 0xE0FFF))
    return TRUE;
  return g_unichar_type (c) == G_UNICODE_FORMAT;
}

static gboolean
is_control (gunichar c)
{
  return c < 0x20 || c == 0x7F || (c >= 0x80 && c < 0xA0) || c == 0x2028 || c == 0x2029 ||
         c == 0xFFFD;
}

char *
heron_mime_sender_clean_name (const char *name)
{
  GString *out;

  g_return_val_if_fail (name != NULL, NULL);

  out = g_string_new (NULL);
  for (const char *p = name; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (is_invisible (c))
        continue;
      if (is_control (c))
        c = 0xFFFD;
      g_string_append_unichar (out, c);
    }
  return g_string_free (out, FALSE);
}

/* Scripts whose words can be written wholly in letters that look Latin. */
static gboolean
is_latin_lookalike (gunichar c)
{
  static const gunichar lookalikes[] = {
    /* Cyrillic */
    0x0405, 0x0406, 0x0408, 0x0410, 0x0412, 0x0415, 0x041A, 0x041C, 0x041D, 0x041E, 0x0420,
    0x0421, 0x0422, 0x0423, 0x0425, 0x0430, 0x0435, 0x043E, 0x0440, 0x0441, 0x0443, 0x0445,
    0x0455, 0x0456, 0x0458, 0x04BB, 0x04C0, 0x04CF, 0x0501, 0x051A, 0x051B, 0x051C, 0x051D,
    /* Greek */
    0x0391, 0x0392, 0x0395, 0x0396, 0x0397, 0x0399, 0x039A, 0x039C, 0x039D, 0x039F, 0x03A1,
    0x03A4, 0x03A5, 0x03A7, 0x03B1, 0x03B9, 0x03BD, 0x03BF, 0x03C1, 0x03C5,
  };

  for (guint i = 0; i < G_N_ELEMENTS (lookalikes); i++)
    if (lookalikes[i] == c)
      return TRUE;
  return FALSE;
}

/* Han, Hiragana, Katakana, Bopomofo and Hangul are written together and with Latin. */
static GUnicodeScript
script_group (GUnicodeScript script)
{
  switch (script)
    {
    case G_UNICODE_SCRIPT_HAN:
    case G_UNICODE_SCRIPT_HIRAGANA:
    case G_UNICODE_SCRIPT_KATAKANA:
    case G_UNICODE_SCRIPT_BOPOMOFO:
    case G_UNICODE_SCRIPT_HANGUL:
      return G_UNICODE_SCRIPT_HAN;
    default:
      return script;
    }
}

typedef struct {
  gboolean mixed;
  gboolean confusable;
} WordCheck;

static WordCheck
check_word (const char *word,
            const char *end)
{
  WordCheck result = { FALSE, FALSE };
  GUnicodeScript seen[3];
  guint n_seen = 0, letters = 0, lookalikes = 0;

  for (const char *p = word; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);
      GUnicodeScript script = g_unichar_get_script (c);
      gboolean known = FALSE;

      if (script == G_UNICODE_SCRIPT_COMMON || script == G_UNICODE_SCRIPT_INHERITED ||
          script == G_UNICODE_SCRIPT_UNKNOWN || !g_unichar_isalpha (c))
        continue;
      letters++;
      if (is_latin_lookalike (c))
        lookalikes++;
      script = script_group (script);
      for (guint i = 0; i < n_seen; i++)
        if (seen[i] == script)
          known = TRUE;
      if (!known && n_seen < G_N_ELEMENTS (seen))
        seen[n_seen++] = script;
    }

  if (n_seen > 2)
    result.mixed = TRUE;
  else if (n_seen == 2)
    /* Japanese, Chinese and Korean words may carry Latin letters ("Tシャツ") */
    result.mixed = !((seen[0] == G_UNICODE_SCRIPT_LATIN && seen[1] == G_UNICODE_SCRIPT_HAN) ||
                     (seen[0] == G_UNICODE_SCRIPT_HAN && seen[1] == G_UNICODE_SCRIPT_LATIN));
  else if (n_seen == 1 &&
           (seen[0] == G_UNICODE_SCRIPT_CYRILLIC || seen[0] == G_UNICODE_SCRIPT_GREEK) &&
           letters >= 2 && lookalikes == letters)
    result.confusable = TRUE;
  return result;
}

gboolean
heron_mime_sender_word_mixes_scripts (const char *word,
                                      gssize      len)
{
  g_return_val_if_fail (word != NULL, FALSE);
  if (len < 0)
    len = strlen (word);
  return check_word (word, word + len).mixed;
}

static gboolean
is_word_break (gunichar c)
{
  return g_unichar_isspace (c) || c == ',' || c == ';' || c == '"' || c == '\'' || c == '(' ||
         c == ')' || c == '<' || c == '>' || c == '[' || c == ']' || c == '|' || c == '/' ||
         c == 0x3000;
}

/* A token of the name that reads like a host name: letters/digits, a dot, and a last label of
 * two or more letters ("bank.example", "paypal.com"); fullwidth and ideographic dots count. */
static gboolean
token_is_domain (const char *start,
                 const char *end)
{
  g_autoptr(GString) t = g_string_new (NULL);
  g_auto(GStrv) labels = NULL;
  guint n;
  gboolean letters_only = TRUE;

  for (const char *p = start; p < end; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0xFF0E || c == 0x3002 || c == 0xFF61)
        c = '.';
      g_string_append_unichar (t, c);
    }
  /* a dot at the end closes a sentence, not a domain */
  if (t->len > 0 && t->str[t->len - 1] == '.')
    return FALSE;
  labels = g_strsplit (t->str, ".", -1);
  n = g_strv_length (labels);
  if (n < 2)
    return FALSE;
  for (guint i = 0; i < n; i++)
    if (labels[i][0] == '\0')
      return FALSE;
  if (g_utf8_strlen (labels[n - 1], -1) < 2)
    return FALSE;
  for (const char *p = labels[n - 1]; *p != '\0'; p = g_utf8_next_char (p))
    if (!g_unichar_isalpha (g_utf8_get_char (p)))
      letters_only = FALSE;
  return letters_only;
}

static gboolean
address_is_bad (const char *address)
{
  const char *at;

  if (address == NULL || address[0] == '\0')
    return TRUE;
  at = strrchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0')
    return TRUE;
  if (strstr (address, "=?") != NULL)
    return TRUE;
  for (const char *p = address; *p != '\0'; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (g_unichar_isspace (c) || is_control (c) || is_invisible (c) || c == '<' || c == '>' ||
          c == ',')
        return TRUE;
    }
  return FALSE;
}

/* The name as it compares with an address: no quotes, no white space around, no case. */
static gboolean
name_is_address (const char *name,
                 const char *address)
{
  g_autofree char *stripped = g_strstrip (g_strdup (name));
  gsize len = strlen (stripped);
  const char *s = stripped;

  while (len > 0 && (s[0] == '\'' || s[0] == '"' || s[0] == '<'))
    {
      s++;
      len--;
    }
  while (len > 0 && (s[len - 1] == '\'' || s[len - 1] == '"' || s[len - 1] == '>'))
    len--;
  {
    g_autofree char *cut = g_strndup (s, len);

    return heron_mime_address_equal_addr (cut, address);
  }
}

HeronMimeSenderFlags
heron_mime_sender_check (const HeronMimeAddress *address)
{
  HeronMimeSenderFlags flags = HERON_MIME_SENDER_OK;
  const char *name;
  const char *word = NULL;

  g_return_val_if_fail (address != NULL, HERON_MIME_SENDER_OK);

  if (address_is_bad (address->address))
    flags |= HERON_MIME_SENDER_BAD_ADDRESS;
  if (address->flags & HERON_MIME_DECODE_CONTROL)
    flags |= HERON_MIME_SENDER_CONTROL;
  if (address->flags & HERON_MIME_DECODE_ENCODED_SPECIALS)
    flags |= HERON_MIME_SENDER_ENCODED_SPECIALS;

  name = address->name;
  if (name == NULL || name[0] == '\0')
    return flags;
  /* "alice@example.com <alice@example.com>" says nothing false */
  if (name_is_address (name, address->address) && !(flags & HERON_MIME_SENDER_CONTROL))
    return flags & ~HERON_MIME_SENDER_ENCODED_SPECIALS;

  for (const char *p = name; ; p = g_utf8_next_char (p))
    {
      gunichar c = g_utf8_get_char (p);

      if (c == 0 || is_word_break (c) || is_invisible (c) || is_control (c))
        {
          if (word != NULL)
            {
              WordCheck wc = check_word (word, p);

              if (wc.mixed)
                flags |= HERON_MIME_SENDER_MIXED_SCRIPTS;
              if (wc.confusable)
                flags |= HERON_MIME_SENDER_CONFUSABLE;
              if (token_is_domain (word, p))
                flags |= HERON_MIME_SENDER_DOMAIN_NAME;
              word = NULL;
            }
          if (c == 0)
            break;
        }
      else if (word == NULL)
        word = p;

      if (c == '@' || c == 0xFF20 || c == 0xFE6B)
        flags |= HERON_MIME_SENDER_AT_SIGN;
      if (is_invisible (c))
        flags |= HERON_MIME_SENDER_INVISIBLE;
      if (is_control (c) && c != 0xFFFD)
        flags |= HERON_MIME_SENDER_CONTROL;
    }
  return flags;
}

char *
heron_mime_sender_display (GPtrArray            *from,
                           HeronMimeSenderFlags *out_flags)
{
  HeronMimeSenderFlags flags = HERON_MIME_SENDER_OK;
  GString *out;

  if (out_flags != NULL)
    *out_flags = HERON_MIME_SENDER_OK;
  if (from == NULL || from->len == 0)
    return g_strdup ("");

  if (from->len > 1)
    flags |= HERON_MIME_SENDER_MULTIPLE;
  for (guint i = 0; i < from->len; i++)
    flags |= heron_mime_sender_check (g_ptr_array_index (from, i));

  out = g_string_new (NULL);
  for (guint i = 0; i < from->len; i++)
    {
      const HeronMimeAddress *a = g_ptr_array_index (from, i);
      g_autofree char *name = heron_mime_sender_clean_name (a->name);
      g_autofree char *addr = heron_mime_sender_clean_name (a->address);

      g_strstrip (name);
      if (i > 0)
        g_string_append (out, ", ");
      if (flags == HERON_MIME_SENDER_OK || (flags == HERON_MIME_SENDER_BAD_ADDRESS && addr[0] == '\0'))
        {
          if (name[0] != '\0' && !name_is_address (name, a->address))
            g_string_append (out, name);
          else
            g_string_append (out, addr[0] != '\0' ? addr : name);
        }
      else if (name[0] == '\0' || name_is_address (name, a->address))
        g_string_append (out, addr);
      else if (addr[0] == '\0')
        g_string_append (out, name);
      else
        g_string_append_printf (out, "%s <%s>", name, addr);
    }

  if (out_flags != NULL)
    *out_flags = flags;
  return g_string_free (out, FALSE);
}
