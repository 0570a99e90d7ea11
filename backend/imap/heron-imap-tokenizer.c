/* heron-imap-tokenizer.c: line segments to tokens
 *
 * A line segment is complete when it is tokenized (the framing stage waits for its CRLF), so no
 * token ever straddles two calls: only the parenthesis stack and, for FETCH, the position within
 * the item list carry over from one segment to the next (a literal ends a segment).
 *
 * For FETCH the tokenizer follows the item list at depth 1 (name, value, name, value...) to know
 * when a literal is the value of a body section (BODY[...], BINARY[...], RFC822*): that literal is
 * streamed, not buffered. Item names at depth 1 may carry a section ("BODY[HEADER.FIELDS (A B)]")
 * with spaces and parentheses, which is read as part of the name.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-imap-parser-private.h"

enum {
  C_BAD = 0,        /* CTL, 8-bit, or not allowed here */
  C_SP,
  C_LPAREN,
  C_RPAREN,
  C_DQUOTE,
  C_LBRACE,
  C_TILDE,          /* an atom char, or the start of literal8 "~{" */
  C_BACKSLASH,      /* starts a flag */
  C_ATOM,
  C_DIGIT,
};

/* ATOM-CHAR plus "]" (ASTRING-CHAR) and the list wildcards "%" and "*", which appear in
 * sequence sets and, sent unquoted by lax servers, in mailbox names. */
static const guint8 cclass[256] = {
  [' '] = C_SP,
  ['('] = C_LPAREN,
  [')'] = C_RPAREN,
  ['"'] = C_DQUOTE,
  ['{'] = C_LBRACE,
  ['~'] = C_TILDE,
  ['\\'] = C_BACKSLASH,
  ['!'] = C_ATOM, ['#'] = C_ATOM, ['$'] = C_ATOM, ['%'] = C_ATOM, ['&'] = C_ATOM,
  ['\''] = C_ATOM, ['*'] = C_ATOM, ['+'] = C_ATOM, [','] = C_ATOM, ['-'] = C_ATOM,
  ['.'] = C_ATOM, ['/'] = C_ATOM, [':'] = C_ATOM, [';'] = C_ATOM, ['<'] = C_ATOM,
  ['='] = C_ATOM, ['>'] = C_ATOM, ['?'] = C_ATOM, ['@'] = C_ATOM, ['['] = C_ATOM,
  [']'] = C_ATOM, ['^'] = C_ATOM, ['_'] = C_ATOM, ['`'] = C_ATOM, ['|'] = C_ATOM,
  ['}'] = C_ATOM,
  ['0'] = C_DIGIT, ['1'] = C_DIGIT, ['2'] = C_DIGIT, ['3'] = C_DIGIT, ['4'] = C_DIGIT,
  ['5'] = C_DIGIT, ['6'] = C_DIGIT, ['7'] = C_DIGIT, ['8'] = C_DIGIT, ['9'] = C_DIGIT,
  ['A'] = C_ATOM, ['B'] = C_ATOM, ['C'] = C_ATOM, ['D'] = C_ATOM, ['E'] = C_ATOM,
  ['F'] = C_ATOM, ['G'] = C_ATOM, ['H'] = C_ATOM, ['I'] = C_ATOM, ['J'] = C_ATOM,
  ['K'] = C_ATOM, ['L'] = C_ATOM, ['M'] = C_ATOM, ['N'] = C_ATOM, ['O'] = C_ATOM,
  ['P'] = C_ATOM, ['Q'] = C_ATOM, ['R'] = C_ATOM, ['S'] = C_ATOM, ['T'] = C_ATOM,
  ['U'] = C_ATOM, ['V'] = C_ATOM, ['W'] = C_ATOM, ['X'] = C_ATOM, ['Y'] = C_ATOM,
  ['Z'] = C_ATOM,
  ['a'] = C_ATOM, ['b'] = C_ATOM, ['c'] = C_ATOM, ['d'] = C_ATOM, ['e'] = C_ATOM,
  ['f'] = C_ATOM, ['g'] = C_ATOM, ['h'] = C_ATOM, ['i'] = C_ATOM, ['j'] = C_ATOM,
  ['k'] = C_ATOM, ['l'] = C_ATOM, ['m'] = C_ATOM, ['n'] = C_ATOM, ['o'] = C_ATOM,
  ['p'] = C_ATOM, ['q'] = C_ATOM, ['r'] = C_ATOM, ['s'] = C_ATOM, ['t'] = C_ATOM,
  ['u'] = C_ATOM, ['v'] = C_ATOM, ['w'] = C_ATOM, ['x'] = C_ATOM, ['y'] = C_ATOM,
  ['z'] = C_ATOM,
};

static inline gboolean
is_atom_char (guchar c)
{
  guint8 k = cclass[c];
  return k == C_ATOM || k == C_DIGIT || k == C_TILDE;
}

static gboolean
push_token (HeronImapParser *parser,
            TokenType        type,
            guint8           flags,
            gsize            off,
            gsize            len,
            GError         **error)
{
  Token *t;

  if (G_UNLIKELY (parser->n_toks >= parser->limits.max_items))
    return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_LIMIT,
                                    "more than %u items", parser->limits.max_items);
  if (G_UNLIKELY (parser->n_toks == parser->toks_cap))
    {
      parser->toks_cap *= 2;
      parser->toks = g_renew (Token, parser->toks, parser->toks_cap);
      parser->stats.buffered = parser->buf_cap + parser->toks_cap * sizeof (Token);
      if (parser->stats.buffered > parser->stats.peak_buffered)
        parser->stats.peak_buffered = parser->stats.buffered;
    }
  t = &parser->toks[parser->n_toks++];
  t->type = type;
  t->flags = flags;
  t->off = (guint32) off;
  t->len = (guint32) len;
  t->aux = 0;
  return TRUE;
}

static gboolean
fail_char (HeronImapParser *parser,
           const char      *buf,
           gsize            i,
           gsize            seg_start,
           const char      *what,
           GError         **error)
{
  guchar c = (guchar) buf[i];

  if (c >= 0x80)
    return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                    "8-bit byte 0x%02x %s at offset %" G_GSIZE_FORMAT,
                                    c, what, i - seg_start);
  if (c < 0x20 || c == 0x7f)
    return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                    "control character 0x%02x %s at offset %" G_GSIZE_FORMAT,
                                    c, what, i - seg_start);
  return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                  "unexpected \"%c\" %s at offset %" G_GSIZE_FORMAT,
                                  c, what, i - seg_start);
}

/* A FETCH item name was read at depth 1: does its value carry a body section? */
static void
fetch_name (HeronImapParser *parser,
            gsize            off,
            gsize            len,
            gsize            bracket)  /* offset of "[" in the name, or 0 */
{
  const char *p = parser->buf + off;

  parser->fetch_value_next = TRUE;
  parser->fetch_body_kind = -1;
  parser->fetch_name_uid = FALSE;
  parser->fetch_origin = -1;
  parser->fetch_section_off = (guint32) off;
  parser->fetch_section_len = 0;

  if (bracket == 0)
    {
      if (len == 3 && _heron_imap_ascii_caseeq (p, 3, "UID"))
        parser->fetch_name_uid = TRUE;
      else if (len == 6 && _heron_imap_ascii_caseeq (p, 6, "RFC822"))
        parser->fetch_body_kind = HERON_IMAP_SECTION_RFC822;
      else if (len == 13 && _heron_imap_ascii_caseeq (p, 13, "RFC822.HEADER"))
        parser->fetch_body_kind = HERON_IMAP_SECTION_RFC822_HEADER;
      else if (len == 11 && _heron_imap_ascii_caseeq (p, 11, "RFC822.TEXT"))
        parser->fetch_body_kind = HERON_IMAP_SECTION_RFC822_TEXT;
      return;
    }

  {
    gsize prefix = bracket - off;
    const char *close;
    gsize close_off;

    if ((prefix == 4 && _heron_imap_ascii_caseeq (p, 4, "BODY")) ||
        (prefix == 9 && _heron_imap_ascii_caseeq (p, 9, "BODY.PEEK")))
      parser->fetch_body_kind = HERON_IMAP_SECTION_BODY;
    else if ((prefix == 6 && _heron_imap_ascii_caseeq (p, 6, "BINARY")) ||
             (prefix == 11 && _heron_imap_ascii_caseeq (p, 11, "BINARY.PEEK")))
      parser->fetch_body_kind = HERON_IMAP_SECTION_BINARY;
    else
      return;

    /* the name was checked to hold a "]" after "[" */
    close = memchr (parser->buf + bracket, ']', len - prefix);
    close_off = close - parser->buf;
    /* quoted header names may hold "]": the last "]" closes the section */
    for (gsize k = close_off + 1; k < off + len; k++)
      if (parser->buf[k] == ']')
        close_off = k;
    parser->fetch_section_off = (guint32) (bracket + 1);
    parser->fetch_section_len = (guint32) (close_off - bracket - 1);
    if (close_off + 1 < off + len && parser->buf[close_off + 1] == '<')
      {
        gint64 origin = 0;

        for (gsize k = close_off + 2; k < off + len && g_ascii_isdigit (parser->buf[k]); k++)
          origin = origin * 10 + (parser->buf[k] - '0');
        parser->fetch_origin = origin;
      }
  }
}

static inline void
fetch_value_done (HeronImapParser *parser)
{
  parser->fetch_value_next = FALSE;
  parser->fetch_body_kind = -1;
  parser->fetch_name_uid = FALSE;
}

/* Reads a FETCH item name with its optional [section]<origin> from buf[i]. */
static gboolean
scan_fetch_name (HeronImapParser *parser,
                 gsize           *pi,
                 gsize            end,
                 gsize            seg_start,
                 gsize           *bracket,
                 GError         **error)
{
  const char *buf = parser->buf;
  gsize i = *pi;

  *bracket = 0;
  while (i < end && is_atom_char (buf[i]) && buf[i] != '[')
    i++;
  if (i < end && buf[i] == '[')
    {
      gboolean closed = FALSE;

      *bracket = i;
      i++;
      while (i < end)
        {
          guchar c = buf[i];

          if (c == ']')
            {
              closed = TRUE;
              i++;
              break;
            }
          if (c == '"')
            {
              i++;
              /* A quoted string in a section is a header field name (HEADER.FIELDS): printable
               * ASCII only, so nothing a log or a UI shows can carry control bytes. */
              while (i < end && buf[i] != '"')
                {
                  if (buf[i] == '\\' && i + 1 < end)
                    i++;
                  if (buf[i] < 0x20 || buf[i] >= 0x7f)
                    return fail_char (parser, buf, i, seg_start, "in a section", error);
                  i++;
                }
              if (i >= end)
                return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                                "unterminated quoted string in a section");
              i++;
              continue;
            }
          if (c < 0x20 || c >= 0x7f)
            return fail_char (parser, buf, i, seg_start, "in a section", error);
          i++;
        }
      if (!closed)
        return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                        "section without \"]\"");
      if (i < end && buf[i] == '<')
        {
          gsize digits = ++i;

          while (i < end && g_ascii_isdigit (buf[i]))
            i++;
          if (i == digits || i - digits > 18 || i >= end || buf[i] != '>')
            return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                            "invalid <origin> after a section");
          i++;
        }
    }
  *pi = i;
  return TRUE;
}

/* An unknown response: only a literal announced at the end of the segment matters. */
static gboolean
tokenize_raw (HeronImapParser *parser,
              gsize            start,
              gsize            end,
              gboolean        *literal,
              guint64         *literal_size,
              GError         **error)
{
  const char *buf = parser->buf;
  gsize i;
  guint64 size = 0;

  if (end <= start || buf[end - 1] != '}')
    return TRUE;
  i = end - 1;
  while (i > start && g_ascii_isdigit (buf[i - 1]))
    i--;
  if (i == end - 1 || i == start || buf[i - 1] != '{')
    return TRUE;
  if (end - 1 - i > 19)
    return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                    "literal size does not fit in 64 bits");
  for (gsize k = i; k < end - 1; k++)
    size = size * 10 + (buf[k] - '0');
  if (i >= start + 2 && buf[i - 2] == '~')
    return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                    "literal8 outside a BINARY item");
  if (size > parser->limits.max_literal_size ||
      parser->buf_len + size > parser->limits.max_response_size)
    {
      g_autofree char *limit = _heron_imap_format_size (parser->limits.max_literal_size);
      return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_LIMIT,
                                      "literal of %" G_GUINT64_FORMAT " bytes exceeds the "
                                      "limit of %s", size, limit);
    }
  *literal = TRUE;
  *literal_size = size;
  return push_token (parser, TOK_LITERAL, 0, parser->buf_len, (gsize) size, error);
}

static gboolean
announce_literal (HeronImapParser *parser,
                  gsize            i,
                  gsize            end,
                  gsize            seg_start,
                  gboolean         lit8,
                  gboolean         is_fetch,
                  gboolean        *literal,
                  guint64         *literal_size,
                  GError         **error)
{
  const char *buf = parser->buf;
  guint64 size = 0;
  gsize digits;
  gboolean body;

  /* buf[i] is "{" */
  digits = ++i;
  while (i < end && g_ascii_isdigit (buf[i]))
    i++;
  if (i == digits)
    return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                    "\"{\" without a literal size at offset %" G_GSIZE_FORMAT,
                                    digits - 1 - seg_start);
  if (i < end && buf[i] == '+')
    return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                    "non-synchronizing literal sent by the server");
  if (i >= end || buf[i] != '}' || i + 1 != end)
    return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                    "literal announcement is not at the end of the line");
  for (gsize k = digits; k < i; k++)
    {
      guint d = buf[k] - '0';

      if (size > (G_MAXUINT64 - d) / 10)
        return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                        "literal size %.*s does not fit in 64 bits",
                                        (int) MIN (i - digits, 40), buf + digits);
      size = size * 10 + d;
    }

  body = is_fetch && parser->depth == 1 && parser->fetch_value_next &&
         parser->fetch_body_kind >= 0;
  if (lit8 && !(body && parser->fetch_body_kind == HERON_IMAP_SECTION_BINARY))
    return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                    "literal8 outside a BINARY item");

  if (body)
    {
      if (size > parser->limits.max_body_size)
        {
          g_autofree char *limit = _heron_imap_format_size (parser->limits.max_body_size);
          return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_LIMIT,
                                          "body section literal of %" G_GUINT64_FORMAT
                                          " bytes exceeds the limit of %s", size, limit);
        }
      if (!push_token (parser, TOK_BODY, 0, parser->buf_len, 0, error))
        return FALSE;
      parser->toks[parser->n_toks - 1].aux = parser->n_sections;
      if (!_heron_imap_parser_begin_section (parser, size, lit8, FALSE, NULL, 0, FALSE, error))
        return FALSE;
    }
  else
    {
      if (size > parser->limits.max_literal_size ||
          parser->buf_len + size > parser->limits.max_response_size)
        {
          g_autofree char *limit = _heron_imap_format_size (parser->limits.max_literal_size);
          return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_LIMIT,
                                          "literal of %" G_GUINT64_FORMAT " bytes exceeds the "
                                          "limit of %s", size, limit);
        }
      if (!push_token (parser, TOK_LITERAL, 0, parser->buf_len, (gsize) size, error))
        return FALSE;
    }

  if (is_fetch && parser->depth == 1)
    {
      if (!parser->fetch_value_next)
        return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                        "a literal where an item name was expected");
      fetch_value_done (parser);
    }

  *literal = TRUE;
  *literal_size = size;
  return TRUE;
}

gboolean
_heron_imap_tokenize (HeronImapParser *parser,
                      gsize            start,
                      gsize            end,
                      gboolean        *literal,
                      guint64         *literal_size,
                      gboolean        *literal8,
                      GError         **error)
{
  const char *buf = parser->buf;
  const gboolean is_fetch = parser->name == NAME_FETCH;
  const gboolean utf8 = (parser->flags & HERON_IMAP_PARSER_FLAGS_UTF8) != 0;
  gsize seg_start = parser->seg_start;
  gsize i = start;

  *literal = FALSE;
  *literal8 = FALSE;

  if (parser->shape == SHAPE_RAW)
    return tokenize_raw (parser, start, end, literal, literal_size, error);

  while (i < end)
    {
      guchar c = (guchar) buf[i];

      switch (cclass[c])
        {
        case C_SP:
          i++;
          break;

        case C_LPAREN:
          if (G_UNLIKELY (parser->depth >= parser->limits.max_depth))
            return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_LIMIT,
                                            "parentheses nested deeper than %u levels",
                                            parser->limits.max_depth);
          if (is_fetch && parser->depth == 1 && !parser->fetch_value_next)
            return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                            "\"(\" where an item name was expected");
          if (!push_token (parser, TOK_LPAREN, 0, i, 1, error))
            return FALSE;
          parser->stack[parser->depth++] = parser->n_toks - 1;
          i++;
          break;

        case C_RPAREN:
          if (G_UNLIKELY (parser->depth == 0))
            return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                            "unbalanced \")\" at offset %" G_GSIZE_FORMAT,
                                            i - seg_start);
          if (is_fetch && parser->depth == 1 && parser->fetch_value_next)
            return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                            "FETCH item without a value");
          if (!push_token (parser, TOK_RPAREN, 0, i, 1, error))
            return FALSE;
          parser->toks[parser->stack[--parser->depth]].aux = parser->n_toks - 1;
          i++;
          if (is_fetch && parser->depth == 1)
            fetch_value_done (parser);
          if (i < end && buf[i] != ' ' && buf[i] != ')' && buf[i] != '(')
            return fail_char (parser, buf, i, seg_start, "after \")\"", error);
          break;

        case C_DQUOTE:
          {
            gsize qstart = ++i;
            guint8 flags = 0;
            guchar high = 0;

            for (;;)
              {
                if (G_UNLIKELY (i >= end))
                  return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                                  "unterminated quoted string");
                c = (guchar) buf[i];
                if (c == '"')
                  break;
                if (c == '\\')
                  {
                    if (i + 1 >= end || (buf[i + 1] != '"' && buf[i + 1] != '\\'))
                      return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                                      "invalid escape in a quoted string at "
                                                      "offset %" G_GSIZE_FORMAT, i - seg_start);
                    flags |= TOKF_ESCAPED;
                    i += 2;
                    continue;
                  }
                high |= c;
                i++;
              }
            if (high & 0x80)
              {
                flags |= TOKF_EIGHTBIT;
                if (utf8 && !g_utf8_validate_len (buf + qstart, i - qstart, NULL))
                  return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                                  "invalid UTF-8 in a quoted string");
              }
            i++;
            if (i < end && buf[i] != ' ' && buf[i] != ')')
              return fail_char (parser, buf, i, seg_start, "after a quoted string", error);

            if (is_fetch && parser->depth == 1)
              {
                if (!parser->fetch_value_next)
                  return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                                  "a string where an item name was expected");
                if (parser->fetch_body_kind >= 0)
                  {
                    if (!push_token (parser, TOK_BODY, 0, qstart, i - 1 - qstart, error))
                      return FALSE;
                    parser->toks[parser->n_toks - 1].aux = parser->n_sections;
                    if (!_heron_imap_parser_begin_section (parser, 0, FALSE, FALSE,
                                                           buf + qstart, i - 1 - qstart,
                                                           (flags & TOKF_ESCAPED) != 0, error))
                      return FALSE;
                    fetch_value_done (parser);
                    break;
                  }
                fetch_value_done (parser);
              }
            if (!push_token (parser, TOK_QUOTED, flags, qstart, i - 1 - qstart, error))
              return FALSE;
          }
          break;

        case C_LBRACE:
          return announce_literal (parser, i, end, seg_start, FALSE, is_fetch, literal,
                                   literal_size, error);

        case C_TILDE:
          if (i + 1 < end && buf[i + 1] == '{')
            {
              *literal8 = TRUE;
              return announce_literal (parser, i + 1, end, seg_start, TRUE, is_fetch, literal,
                                       literal_size, error);
            }
          G_GNUC_FALLTHROUGH;
        case C_ATOM:
        case C_DIGIT:
        case C_BACKSLASH:
          {
            gsize astart = i;
            guint8 flags = 0;
            gsize bracket = 0;
            gboolean name_pos = is_fetch && parser->depth == 1 && !parser->fetch_value_next;

            if (c == '\\')
              {
                flags |= TOKF_BACKSLASH;
                i++;
                if (i < end && buf[i] == '*')
                  i++;
              }
            if (name_pos)
              {
                if (!scan_fetch_name (parser, &i, end, seg_start, &bracket, error))
                  return FALSE;
              }
            else
              {
                gboolean digits = c != '\\';

                while (i < end)
                  {
                    guint8 k = cclass[(guchar) buf[i]];

                    if (k == C_DIGIT)
                      ;
                    else if (k == C_ATOM || k == C_TILDE)
                      digits = FALSE;
                    else
                      break;
                    i++;
                  }
                if (digits)
                  flags |= TOKF_DIGITS;
              }
            if (i < end && buf[i] != ' ' && buf[i] != ')')
              return fail_char (parser, buf, i, seg_start, "in an atom", error);
            if (i == astart + 1 && c == '\\')
              return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                              "\"\\\" without a flag name");
            if (i - astart == 3 && _heron_imap_ascii_caseeq (buf + astart, 3, "NIL"))
              flags |= TOKF_NIL;

            if (is_fetch && parser->depth == 1)
              {
                if (name_pos)
                  fetch_name (parser, astart, i - astart, bracket);
                else
                  {
                    if (parser->fetch_body_kind >= 0)
                      {
                        if (!(flags & TOKF_NIL))
                          return _heron_imap_parser_fail (parser, error, HERON_IMAP_ERROR_PARSE,
                                                          "body section value is neither a "
                                                          "string nor NIL");
                        if (!push_token (parser, TOK_BODY, 0, astart, 0, error))
                          return FALSE;
                        parser->toks[parser->n_toks - 1].aux = parser->n_sections;
                        if (!_heron_imap_parser_begin_section (parser, 0, FALSE, TRUE, NULL, 0,
                                                               FALSE, error))
                          return FALSE;
                        fetch_value_done (parser);
                        break;
                      }
                    if (parser->fetch_name_uid && (flags & TOKF_DIGITS) && i - astart <= 10)
                      {
                        guint64 uid = 0;

                        for (gsize k = astart; k < i; k++)
                          uid = uid * 10 + (buf[k] - '0');
                        parser->fetch_uid = uid <= G_MAXUINT32 ? (guint32) uid : 0;
                      }
                    fetch_value_done (parser);
                  }
              }
            if (!push_token (parser, TOK_ATOM, flags, astart, i - astart, error))
              return FALSE;
          }
          break;

        case C_BAD:
        default:
          return fail_char (parser, buf, i, seg_start, "", error);
        }
    }

  return TRUE;
}
