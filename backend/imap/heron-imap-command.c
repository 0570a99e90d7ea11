/* heron-imap-command.c: IMAP command builder
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * A command is a name and a list of parts: text (atoms, quoted strings, numbers, sets, fixed
 * grammar), literals (in memory or streamed), and line breaks that wait for a continuation. The
 * literal syntax, "{n}", "{n+}" or "~{n}", is chosen only when the command is turned into
 * segments, from the literal mode the server allows; whether a string is an atom, a quoted string
 * or a literal is chosen when it is added, from its content and the command flags.
 *
 * Grammar references are to RFC 3501 section 9 unless said otherwise:
 *
 *   astring       = 1*ASTRING-CHAR / string
 *   string        = quoted / literal
 *   quoted        = DQUOTE *QUOTED-CHAR DQUOTE          ; TEXT-CHAR: CHAR except CR, LF
 *   literal       = "{" number "}" CRLF *CHAR8           ; CHAR8: any octet but NUL
 *   atom-specials = "(" / ")" / "{" / SP / CTL / "%" / "*" / DQUOTE / "\" / "]"
 *   literal8      = "~{" number ["+"] "}" CRLF *OCTET   ; RFC 3516, RFC 4466
 */

#include "config.h"

#include <string.h>

#include "heron-imap-command-private.h"
#include "heron-imap-error.h"
#include "heron-imap-utf7.h"

/* An argument the protocol cannot carry. */
#define ARGUMENT_ERROR HERON_IMAP_ERROR_INVALID

struct _HeronImapTagGenerator {
  char prefix;
  guint32 next;
};

static const char * const month_names[] = {
  "Jan", "Feb", "Mar", "Apr", "May", "Jun", "Jul", "Aug", "Sep", "Oct", "Nov", "Dec",
};

G_DEFINE_BOXED_TYPE (HeronImapCommand, heron_imap_command, heron_imap_command_ref, heron_imap_command_unref)

/* Secrets */

/* Overwrites memory that held a secret before it is freed; the volatile access keeps the compiler
 * from dropping the stores as dead. */
void
_heron_imap_secure_clear (void  *data,
              gsize  length)
{
  volatile guchar *p = data;

  while (length-- > 0)
    *p++ = 0;
}

typedef struct {
  gsize length;
  guchar data[];
} SecretBuffer;

static void
secret_buffer_free (gpointer data)
{
  SecretBuffer *buffer = data;

  _heron_imap_secure_clear (buffer->data, buffer->length);
  g_free (buffer);
}

/* A copy of data in a GBytes that wipes it when the last reference goes. */
static GBytes *
secret_bytes_new (const void *data,
                  gsize       length)
{
  SecretBuffer *buffer = g_malloc (sizeof (SecretBuffer) + length);

  buffer->length = length;
  if (length > 0)
    memcpy (buffer->data, data, length);

  return g_bytes_new_with_free_func (buffer->data, length, secret_buffer_free, buffer);
}

static void
secret_string_free (GString *string)
{
  _heron_imap_secure_clear (string->str, string->allocated_len);
  g_string_free (string, TRUE);
}

/* Character classes */

static inline gboolean
is_atom_char (guchar c)
{
  if (c <= 0x1f || c >= 0x7f)
    return FALSE;

  switch (c)
    {
    case '(': case ')': case '{': case ' ': case '%': case '*': case '"': case '\\': case ']':
      return FALSE;
    default:
      return TRUE;
    }
}

typedef enum {
  BARE_NONE,     /* string: always quoted or literal */
  BARE_ASTRING,  /* 1*ASTRING-CHAR: ATOM-CHAR and "]" */
  BARE_LIST,     /* 1*list-char: ATOM-CHAR, "%", "*" and "]" */
} BareClass;

static inline gboolean
is_bare_char (guchar    c,
              BareClass bare)
{
  if (is_atom_char (c))
    return TRUE;
  if (bare == BARE_ASTRING)
    return c == ']';
  if (bare == BARE_LIST)
    return c == ']' || c == '%' || c == '*';
  return FALSE;
}

static gboolean
is_atom (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    if (!is_atom_char (*p))
      return FALSE;

  return TRUE;
}

/* tag = 1*<any ASTRING-CHAR except "+"> */
static gboolean
is_tag (const char *text)
{
  if (text == NULL || *text == '\0')
    return FALSE;

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    if (*p == '+' || !is_bare_char (*p, BARE_ASTRING))
      return FALSE;

  return TRUE;
}

/* A command name: one or more atoms separated by single spaces ("UID FETCH"). */
static gboolean
is_command_name (const char *name)
{
  g_auto(GStrv) words = NULL;

  if (name == NULL || *name == '\0')
    return FALSE;

  words = g_strsplit (name, " ", -1);
  for (guint i = 0; words[i] != NULL; i++)
    if (!is_atom (words[i]))
      return FALSE;

  return TRUE;
}

/* flag = "\" atom / atom (RFC 3501 flag, flag-keyword and flag-extension) */
static gboolean
is_flag (const char *flag)
{
  if (flag == NULL)
    return FALSE;

  return is_atom (flag[0] == '\\' ? flag + 1 : flag);
}

/* Parts */

static void
part_free (gpointer data)
{
  Part *part = data;

  if (part->text != NULL)
    {
      if (part->secret)
        secret_string_free (part->text);
      else
        g_string_free (part->text, TRUE);
    }
  g_clear_pointer (&part->bytes, g_bytes_unref);
  g_clear_object (&part->stream);
  g_free (part);
}

static Part *
push_part (HeronImapCommand *self,
           PartKind          kind,
           gboolean          secret)
{
  Part *part = g_new0 (Part, 1);

  part->kind = kind;
  part->secret = secret;
  if (kind == PART_TEXT)
    part->text = g_string_new (NULL);
  g_ptr_array_add (self->parts, part);

  return part;
}

/* The text part that ordinary output goes to. */
GString *
_heron_imap_command_current_text (HeronImapCommand *self)
{
  if (self->parts->len > 0)
    {
      Part *last = g_ptr_array_index (self->parts, self->parts->len - 1);

      if (last->kind == PART_TEXT && !last->secret)
        return last->text;
    }

  return push_part (self, PART_TEXT, FALSE)->text;
}

/* A text part of its own for a secret, so logs can leave it out whole. */
GString *
_heron_imap_command_push_secret_text (HeronImapCommand *self)
{
  return push_part (self, PART_TEXT, TRUE)->text;
}

void
_heron_imap_command_begin_argument (HeronImapCommand *self)
{
  if (self->need_space)
    g_string_append_c (_heron_imap_command_current_text (self), ' ');
  self->need_space = TRUE;
}

void
_heron_imap_command_push_continuation (HeronImapCommand *self)
{
  push_part (self, PART_CONTINUATION, FALSE);
  self->need_space = FALSE;
}

gboolean
_heron_imap_command_failed (HeronImapCommand *self)
{
  return self->error != NULL;
}

void
_heron_imap_command_set_error (HeronImapCommand *self,
           int               code,
           const char       *format,
           ...)
{
  va_list args;

  if (self->error != NULL)
    return;

  va_start (args, format);
  self->error = g_error_new_valist (HERON_IMAP_ERROR, code, format, args);
  va_end (args);
}

/* Life cycle */

HeronImapCommand *
_heron_imap_command_new_internal (const char            *name,
             HeronImapCommandFlags  flags,
             gboolean               tagged)
{
  HeronImapCommand *self = g_new0 (HeronImapCommand, 1);

  g_atomic_ref_count_init (&self->ref_count);
  self->name = g_strdup (name);
  self->flags = flags;
  self->tagged = tagged;
  self->need_space = name != NULL;
  self->parts = g_ptr_array_new_with_free_func (part_free);

  return self;
}

HeronImapCommand *
heron_imap_command_new (const char            *name,
                        HeronImapCommandFlags  flags)
{
  g_return_val_if_fail (is_command_name (name), NULL);

  return _heron_imap_command_new_internal (name, flags, TRUE);
}

/* A run of arguments without name or tag, to be added to a command with
 * heron_imap_command_add_fragment(): the search criteria of SEARCH, for example. */
HeronImapCommand *
heron_imap_command_new_fragment (HeronImapCommandFlags flags)
{
  HeronImapCommand *self = _heron_imap_command_new_internal (NULL, flags, FALSE);

  self->fragment = TRUE;

  return self;
}

HeronImapCommand *
heron_imap_command_ref (HeronImapCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  g_atomic_ref_count_inc (&self->ref_count);

  return self;
}

void
heron_imap_command_unref (HeronImapCommand *self)
{
  g_return_if_fail (self != NULL);

  if (!g_atomic_ref_count_dec (&self->ref_count))
    return;

  g_free (self->name);
  g_free (self->tag);
  g_ptr_array_unref (self->parts);
  g_clear_error (&self->error);
  g_free (self);
}

const char *
heron_imap_command_get_name (HeronImapCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->name;
}

HeronImapCommandFlags
heron_imap_command_get_flags (HeronImapCommand *self)
{
  g_return_val_if_fail (self != NULL, HERON_IMAP_COMMAND_FLAGS_NONE);

  return self->flags;
}

/* FALSE for the lines a client sends inside another command: DONE, SASL responses. */
gboolean
heron_imap_command_is_tagged (HeronImapCommand *self)
{
  g_return_val_if_fail (self != NULL, FALSE);

  return self->tagged;
}

const char *
heron_imap_command_get_tag (HeronImapCommand *self)
{
  g_return_val_if_fail (self != NULL, NULL);

  return self->tag;
}

void
heron_imap_command_set_tag (HeronImapCommand *self,
                            const char       *tag)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (self->tagged);
  g_return_if_fail (is_tag (tag));

  g_free (self->tag);
  self->tag = g_strdup (tag);
}

const char *
heron_imap_command_assign_tag (HeronImapCommand      *self,
                               HeronImapTagGenerator *generator)
{
  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (self->tagged, NULL);
  g_return_val_if_fail (generator != NULL, NULL);

  g_free (self->tag);
  self->tag = heron_imap_tag_generator_next (generator);

  return self->tag;
}

/* Strings */

typedef enum {
  FORM_BARE,
  FORM_QUOTED,
  FORM_LITERAL,
} StringForm;

static gboolean
choose_form (HeronImapCommand *self,
             const char       *string,
             gsize             length,
             BareClass         bare_class,
             StringForm       *form)
{
  gboolean bare = bare_class != BARE_NONE && length > 0;
  gboolean line_break = FALSE;
  gboolean eight_bit = FALSE;

  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) string[i];

      if (c == '\0')
        {
          /* NUL is not a CHAR8: only literal8 can carry it, and nothing but APPEND takes one. */
          _heron_imap_command_set_error (self, ARGUMENT_ERROR, "A string argument cannot contain NUL");
          return FALSE;
        }
      if (c == '\r' || c == '\n')
        line_break = TRUE;
      else if (c >= 0x80)
        eight_bit = TRUE;
      if (bare && !is_bare_char (c, bare_class))
        bare = FALSE;
    }

  if (eight_bit)
    self->has_8bit = TRUE;

  /* "NIL" is a valid astring atom, but servers that parse loosely read it as nil. */
  if (bare && !(length == 3 && g_ascii_strncasecmp (string, "NIL", 3) == 0))
    *form = FORM_BARE;
  else if (line_break || length > HERON_IMAP_QUOTED_MAX)
    *form = FORM_LITERAL;
  else if (eight_bit)
    /* A quoted string is 7-bit (TEXT-CHAR is a CHAR) unless UTF8=ACCEPT allows UTF-8 in it. */
    *form = (self->flags & HERON_IMAP_COMMAND_UTF8_ACCEPT) && g_utf8_validate (string, (gssize) length, NULL)
            ? FORM_QUOTED : FORM_LITERAL;
  else
    *form = FORM_QUOTED;

  return TRUE;
}

static void
push_literal (HeronImapCommand      *self,
              GBytes                *bytes,
              GInputStream          *stream,
              guint64                size,
              HeronImapLiteralFlags  flags)
{
  Part *part = push_part (self, PART_LITERAL, (flags & HERON_IMAP_LITERAL_SECRET) != 0);

  part->bytes = bytes;
  part->stream = stream != NULL ? g_object_ref (stream) : NULL;
  part->size = size;
  part->literal_flags = flags;
}

static void
write_string (HeronImapCommand *self,
              const char       *string,
              gssize            length,
              BareClass         bare_class,
              gboolean          secret)
{
  StringForm form;
  gsize len;
  GString *out;

  if (_heron_imap_command_failed (self))
    return;

  len = length < 0 ? strlen (string) : (gsize) length;

  if (!choose_form (self, string, len, bare_class, &form))
    return;

  _heron_imap_command_begin_argument (self);

  if (form == FORM_LITERAL)
    {
      GBytes *bytes = secret ? secret_bytes_new (string, len) : g_bytes_new (string, len);

      push_literal (self, bytes, NULL, len, secret ? HERON_IMAP_LITERAL_SECRET : 0);
      return;
    }

  out = secret ? _heron_imap_command_push_secret_text (self) : _heron_imap_command_current_text (self);

  if (form == FORM_BARE)
    {
      g_string_append_len (out, string, (gssize) len);
      return;
    }

  g_string_append_c (out, '"');
  for (gsize i = 0; i < len; i++)
    {
      if (string[i] == '"' || string[i] == '\\')
        g_string_append_c (out, '\\');
      g_string_append_c (out, string[i]);
    }
  g_string_append_c (out, '"');
}


void
_heron_imap_command_write_mailbox (HeronImapCommand *self,
               const char       *name,
               NameKind          kind)
{
  g_autofree char *encoded = NULL;

  if (_heron_imap_command_failed (self))
    return;

  /* An empty reference or pattern means something in LIST; an empty mailbox name does not. */
  if (*name == '\0' && kind == NAME_MAILBOX)
    {
      _heron_imap_command_set_error (self, ARGUMENT_ERROR, "A mailbox name cannot be empty");
      return;
    }

  if (!g_utf8_validate (name, -1, NULL))
    {
      _heron_imap_command_set_error (self, ARGUMENT_ERROR, "The mailbox name is not valid UTF-8");
      return;
    }

  /* Every case variant of INBOX is INBOX (RFC 3501 section 5.1); say it the one way. */
  if (kind == NAME_MAILBOX && g_ascii_strcasecmp (name, "INBOX") == 0)
    name = "INBOX";

  /* Without UTF8=ACCEPT names go in modified UTF-7 (RFC 3501 section 5.1.3); with it, as UTF-8
   * (RFC 6855 section 3). */
  if (!(self->flags & HERON_IMAP_COMMAND_UTF8_ACCEPT))
    {
      encoded = heron_imap_utf7_encode (name);
      if (encoded == NULL)
        {
          _heron_imap_command_set_error (self, ARGUMENT_ERROR, "The mailbox name cannot be encoded in modified UTF-7");
          return;
        }
      name = encoded;
    }

  write_string (self, name, -1, kind == NAME_PATTERN ? BARE_LIST : BARE_ASTRING, FALSE);
}

/* Arguments */

void
heron_imap_command_add_atom (HeronImapCommand *self,
                             const char       *atom)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (atom != NULL);

  if (_heron_imap_command_failed (self))
    return;

  if (!is_atom (atom))
    {
      _heron_imap_command_set_error (self, ARGUMENT_ERROR, "“%s” is not an IMAP atom", atom);
      return;
    }

  _heron_imap_command_begin_argument (self);
  g_string_append (_heron_imap_command_current_text (self), atom);
}

/* An atom if it can be one, else a quoted string, else a literal (line breaks, 8-bit without
 * UTF8=ACCEPT, longer than HERON_IMAP_QUOTED_MAX). */
void
heron_imap_command_add_astring (HeronImapCommand *self,
                                const char       *string)
{
  heron_imap_command_add_astring_len (self, string, -1);
}

void
heron_imap_command_add_astring_len (HeronImapCommand *self,
                                    const char       *string,
                                    gssize            length)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (string != NULL || length == 0);

  write_string (self, string != NULL ? string : "", length, BARE_ASTRING, FALSE);
}

/* A quoted string or a literal, never an atom: where the grammar says "string". */
void
heron_imap_command_add_string (HeronImapCommand *self,
                               const char       *string)
{
  heron_imap_command_add_string_len (self, string, -1);
}

void
heron_imap_command_add_string_len (HeronImapCommand *self,
                                   const char       *string,
                                   gssize            length)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (string != NULL || length == 0);

  write_string (self, string != NULL ? string : "", length, BARE_NONE, FALSE);
}

/* A string, or NIL for NULL. */
void
heron_imap_command_add_nstring (HeronImapCommand *self,
                                const char       *string)
{
  g_return_if_fail (self != NULL);

  if (string == NULL)
    {
      if (!_heron_imap_command_failed (self))
        {
          _heron_imap_command_begin_argument (self);
          g_string_append (_heron_imap_command_current_text (self), "NIL");
        }
      return;
    }

  write_string (self, string, -1, BARE_NONE, FALSE);
}

/* An astring that logs show as <redacted>: a password. */
void
heron_imap_command_add_secret (HeronImapCommand *self,
                               const char       *string)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (string != NULL);

  write_string (self, string, -1, BARE_ASTRING, TRUE);
}

/* A mailbox name in UTF-8: encoded as the session needs, INBOX in any case written as INBOX. */
void
heron_imap_command_add_mailbox (HeronImapCommand *self,
                                const char       *name)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (name != NULL);

  _heron_imap_command_write_mailbox (self, name, NAME_MAILBOX);
}

/* A LIST or LSUB pattern in UTF-8 (list-mailbox): may be empty; the wildcards "%" and "*" need no
 * quoting. */
void
heron_imap_command_add_list_mailbox (HeronImapCommand *self,
                                     const char       *pattern)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (pattern != NULL);

  _heron_imap_command_write_mailbox (self, pattern, NAME_PATTERN);
}

void
heron_imap_command_add_number (HeronImapCommand *self,
                               guint32           number)
{
  g_return_if_fail (self != NULL);

  if (_heron_imap_command_failed (self))
    return;

  _heron_imap_command_begin_argument (self);
  g_string_append_printf (_heron_imap_command_current_text (self), "%u", number);
}

/* A 63-bit number: a mod-sequence (RFC 7162) or a 64-bit size. */
void
heron_imap_command_add_number64 (HeronImapCommand *self,
                                 guint64           number)
{
  g_return_if_fail (self != NULL);

  if (_heron_imap_command_failed (self))
    return;

  if (number > G_MAXINT64)
    {
      _heron_imap_command_set_error (self, HERON_IMAP_ERROR_LIMIT,
                 "%" G_GUINT64_FORMAT " does not fit an unsigned 63-bit IMAP number", number);
      return;
    }

  _heron_imap_command_begin_argument (self);
  g_string_append_printf (_heron_imap_command_current_text (self), "%" G_GUINT64_FORMAT, number);
}

void
heron_imap_command_add_uid_set (HeronImapCommand      *self,
                                const HeronImapUidSet *set)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (set != NULL);

  if (_heron_imap_command_failed (self))
    return;

  if (heron_imap_uid_set_is_empty (set))
    {
      _heron_imap_command_set_error (self, ARGUMENT_ERROR, "An empty set cannot be sent");
      return;
    }

  _heron_imap_command_begin_argument (self);
  heron_imap_uid_set_append_to_string (set, _heron_imap_command_current_text (self));
}

/* Text written as it is, for fixed grammar the builder has no function for: "(UID FLAGS)",
 * "BODY.PEEK[HEADER.FIELDS (DATE FROM)]", "$". Printable US-ASCII only. */
void
heron_imap_command_add_raw (HeronImapCommand *self,
                            const char       *text)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (text != NULL);

  if (_heron_imap_command_failed (self))
    return;

  if (*text == '\0')
    {
      _heron_imap_command_set_error (self, ARGUMENT_ERROR, "An argument cannot be empty");
      return;
    }

  for (const guchar *p = (const guchar *) text; *p != '\0'; p++)
    {
      if (*p < 0x20 || *p > 0x7e)
        {
          _heron_imap_command_set_error (self, ARGUMENT_ERROR, "Raw command text must be printable US-ASCII");
          return;
        }
    }

  _heron_imap_command_begin_argument (self);
  g_string_append (_heron_imap_command_current_text (self), text);
}

/* flag-list = "(" [flag *(SP flag)] ")"; NULL is the empty list. */
void
heron_imap_command_add_flag_list (HeronImapCommand   *self,
                                  const char * const *flags)
{
  g_return_if_fail (self != NULL);

  if (_heron_imap_command_failed (self))
    return;

  heron_imap_command_begin_list (self);
  for (guint i = 0; flags != NULL && flags[i] != NULL; i++)
    {
      if (!is_flag (flags[i]))
        {
          _heron_imap_command_set_error (self, ARGUMENT_ERROR, "“%s” is not an IMAP flag", flags[i]);
          return;
        }

      _heron_imap_command_begin_argument (self);
      g_string_append (_heron_imap_command_current_text (self), flags[i]);
    }
  heron_imap_command_end_list (self);
}

/* "(" string *(SP string) ")": every element quoted or a literal. */
void
heron_imap_command_add_string_list (HeronImapCommand   *self,
                                    const char * const *strings)
{
  g_return_if_fail (self != NULL);

  heron_imap_command_begin_list (self);
  for (guint i = 0; strings != NULL && strings[i] != NULL; i++)
    heron_imap_command_add_string (self, strings[i]);
  heron_imap_command_end_list (self);
}

/* date-text = date-day "-" date-month "-" date-year, "1-Feb-1994", for SEARCH. The day is the
 * day in the time zone of date. */
void
heron_imap_command_add_date (HeronImapCommand *self,
                             GDateTime        *date)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (date != NULL);

  if (_heron_imap_command_failed (self))
    return;

  _heron_imap_command_begin_argument (self);
  g_string_append_printf (_heron_imap_command_current_text (self), "%d-%s-%04d",
                          g_date_time_get_day_of_month (date),
                          month_names[g_date_time_get_month (date) - 1],
                          g_date_time_get_year (date));
}

/* date-time = DQUOTE date-day-fixed "-" date-month "-" date-year SP time SP zone DQUOTE,
 * "\" 7-Feb-1994 21:52:25 -0800\"", for APPEND. Month names are English whatever the locale. */
void
heron_imap_command_add_date_time (HeronImapCommand *self,
                                  GDateTime        *date_time)
{
  gint64 offset_minutes;
  char sign = '+';

  g_return_if_fail (self != NULL);
  g_return_if_fail (date_time != NULL);

  if (_heron_imap_command_failed (self))
    return;

  offset_minutes = g_date_time_get_utc_offset (date_time) / G_TIME_SPAN_MINUTE;
  if (offset_minutes < 0)
    {
      sign = '-';
      offset_minutes = -offset_minutes;
    }

  _heron_imap_command_begin_argument (self);
  g_string_append_printf (_heron_imap_command_current_text (self), "\"%2d-%s-%04d %02d:%02d:%02d %c%02d%02d\"",
                          g_date_time_get_day_of_month (date_time),
                          month_names[g_date_time_get_month (date_time) - 1],
                          g_date_time_get_year (date_time),
                          g_date_time_get_hour (date_time),
                          g_date_time_get_minute (date_time),
                          g_date_time_get_second (date_time),
                          sign,
                          (int) (offset_minutes / 60),
                          (int) (offset_minutes % 60));
}

static gboolean
check_literal_size (HeronImapCommand *self,
                    guint64           size)
{
  /* RFC 3501 sizes a literal with a 32-bit number; not every server takes RFC 9051's number64. */
  if (size > G_MAXUINT32)
    {
      _heron_imap_command_set_error (self, HERON_IMAP_ERROR_LIMIT,
                 "A literal of %" G_GUINT64_FORMAT " octets is too large to send", size);
      return FALSE;
    }

  return TRUE;
}

/* Data sent as a literal whatever it holds. */
void
heron_imap_command_add_literal (HeronImapCommand      *self,
                                GBytes                *data,
                                HeronImapLiteralFlags  flags)
{
  gsize size;
  const void *bytes;

  g_return_if_fail (self != NULL);
  g_return_if_fail (data != NULL);

  if (_heron_imap_command_failed (self))
    return;

  bytes = g_bytes_get_data (data, &size);

  if (!check_literal_size (self, size))
    return;

  if (!(flags & HERON_IMAP_LITERAL_BINARY) && size > 0 && memchr (bytes, '\0', size) != NULL)
    {
      _heron_imap_command_set_error (self, ARGUMENT_ERROR, "Data with NUL needs a binary literal (BINARY, RFC 3516)");
      return;
    }

  _heron_imap_command_begin_argument (self);
  push_literal (self, g_bytes_ref (data), NULL, size, flags);
}

/* Data read from stream when the command is sent, exactly size octets; it is not copied whole
 * into memory. Without HERON_IMAP_LITERAL_BINARY the stream must not yield NUL. */
void
heron_imap_command_add_literal_stream (HeronImapCommand      *self,
                                       GInputStream          *stream,
                                       guint64                size,
                                       HeronImapLiteralFlags  flags)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (G_IS_INPUT_STREAM (stream));

  if (_heron_imap_command_failed (self))
    return;

  if (!check_literal_size (self, size))
    return;

  _heron_imap_command_begin_argument (self);
  push_literal (self, NULL, stream, size, flags);
}

void
heron_imap_command_begin_list (HeronImapCommand *self)
{
  g_return_if_fail (self != NULL);

  if (_heron_imap_command_failed (self))
    return;

  _heron_imap_command_begin_argument (self);
  g_string_append_c (_heron_imap_command_current_text (self), '(');
  self->need_space = FALSE;
  self->depth++;
}

void
heron_imap_command_end_list (HeronImapCommand *self)
{
  g_return_if_fail (self != NULL);

  if (_heron_imap_command_failed (self))
    return;

  g_return_if_fail (self->depth > 0);

  g_string_append_c (_heron_imap_command_current_text (self), ')');
  self->need_space = TRUE;
  self->depth--;
}

/* Adds the arguments of fragment, as one more argument. A streamed literal can be sent once: add
 * a fragment holding one to a single command. */
void
heron_imap_command_add_fragment (HeronImapCommand *self,
                                 HeronImapCommand *fragment)
{
  g_return_if_fail (self != NULL);
  g_return_if_fail (fragment != NULL && fragment->fragment);
  g_return_if_fail (fragment != self);

  if (_heron_imap_command_failed (self))
    return;

  if (fragment->error != NULL)
    {
      self->error = g_error_copy (fragment->error);
      return;
    }

  if (fragment->depth != 0)
    {
      _heron_imap_command_set_error (self, ARGUMENT_ERROR, "The fragment has unbalanced parentheses");
      return;
    }

  if (fragment->parts->len == 0)
    return;

  _heron_imap_command_begin_argument (self);

  for (guint i = 0; i < fragment->parts->len; i++)
    {
      const Part *part = g_ptr_array_index (fragment->parts, i);

      switch (part->kind)
        {
        case PART_TEXT:
          g_string_append_len (part->secret ? _heron_imap_command_push_secret_text (self) : _heron_imap_command_current_text (self),
                               part->text->str, (gssize) part->text->len);
          break;

        case PART_LITERAL:
          push_literal (self,
                        part->bytes != NULL ? g_bytes_ref (part->bytes) : NULL,
                        part->stream, part->size, part->literal_flags);
          break;

        case PART_CONTINUATION:
          _heron_imap_command_push_continuation (self);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  self->need_space = TRUE;
  self->has_8bit |= fragment->has_8bit;
}

gboolean
heron_imap_command_check (HeronImapCommand  *self,
                          GError           **error)
{
  g_return_val_if_fail (self != NULL, FALSE);

  if (self->error != NULL)
    {
      g_propagate_error (error, g_error_copy (self->error));
      return FALSE;
    }

  if (self->depth != 0)
    {
      g_set_error_literal (error, HERON_IMAP_ERROR, ARGUMENT_ERROR,
                           "The command has unbalanced parentheses");
      return FALSE;
    }

  return TRUE;
}

/* Output */

void
heron_imap_segment_free (HeronImapSegment *segment)
{
  if (segment == NULL)
    return;

  g_clear_pointer (&segment->bytes, g_bytes_unref);
  g_clear_object (&segment->stream);
  g_free (segment);
}

static void
push_segment (GPtrArray            *segments,
              HeronImapSegmentKind  kind,
              GBytes               *bytes,
              GInputStream         *stream,
              guint64               size,
              gboolean              secret)
{
  HeronImapSegment *segment = g_new0 (HeronImapSegment, 1);

  segment->kind = kind;
  segment->bytes = bytes;
  segment->stream = stream != NULL ? g_object_ref (stream) : NULL;
  segment->size = size;
  segment->secret = secret;
  g_ptr_array_add (segments, segment);
}

/* Ends the current line of text as a segment and starts a new one. */
static GString *
flush_text (GPtrArray *segments,
            GString   *line,
            gboolean   secret)
{
  GBytes *bytes;
  gsize size = line->len;

  if (secret)
    {
      bytes = secret_bytes_new (line->str, line->len);
      secret_string_free (line);
    }
  else
    {
      bytes = g_string_free_to_bytes (line);
    }

  push_segment (segments, HERON_IMAP_SEGMENT_TEXT, bytes, NULL, size, secret);

  return g_string_new (NULL);
}

static gboolean
literal_is_non_sync (const Part            *part,
                     HeronImapLiteralMode   mode,
                     gboolean              *non_sync,
                     GError               **error)
{
  gboolean fits_minus = part->size <= HERON_IMAP_LITERAL_MINUS_MAX;

  if (part->literal_flags & HERON_IMAP_LITERAL_NON_SYNC)
    {
      if (mode == HERON_IMAP_LITERAL_SYNC)
        {
          g_set_error_literal (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_UNSUPPORTED,
                               "The server does not accept non-synchronizing literals");
          return FALSE;
        }
      if (mode == HERON_IMAP_LITERAL_MINUS && !fits_minus)
        {
          g_set_error (error, HERON_IMAP_ERROR, HERON_IMAP_ERROR_LIMIT,
                       "LITERAL- allows non-synchronizing literals of at most %u octets, not %"
                       G_GUINT64_FORMAT, HERON_IMAP_LITERAL_MINUS_MAX, part->size);
          return FALSE;
        }
      *non_sync = TRUE;
      return TRUE;
    }

  *non_sync = mode == HERON_IMAP_LITERAL_PLUS || (mode == HERON_IMAP_LITERAL_MINUS && fits_minus);
  return TRUE;
}

/* The segments to send the command with, for the literal mode the server allows. The command must
 * have a tag. Streamed literals are referenced, not read: the caller copies them. */
GPtrArray *
heron_imap_command_get_segments (HeronImapCommand      *self,
                                 HeronImapLiteralMode   mode,
                                 GError               **error)
{
  g_autoptr(GPtrArray) segments = NULL;
  GString *line;
  gboolean line_secret = FALSE;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (!self->fragment, NULL);
  g_return_val_if_fail (!self->tagged || self->tag != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (!heron_imap_command_check (self, error))
    return NULL;

  segments = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_imap_segment_free);
  line = g_string_new (NULL);

  if (self->tagged)
    {
      g_string_append (line, self->tag);
      g_string_append_c (line, ' ');
    }
  if (self->name != NULL)
    g_string_append (line, self->name);

  for (guint i = 0; i < self->parts->len; i++)
    {
      const Part *part = g_ptr_array_index (self->parts, i);
      gboolean non_sync;

      switch (part->kind)
        {
        case PART_TEXT:
          g_string_append_len (line, part->text->str, (gssize) part->text->len);
          line_secret |= part->secret;
          break;

        case PART_LITERAL:
          if (!literal_is_non_sync (part, mode, &non_sync, error))
            {
              if (line_secret)
                secret_string_free (line);
              else
                g_string_free (line, TRUE);
              return NULL;
            }

          g_string_append_printf (line, "%s{%" G_GUINT64_FORMAT "%s}\r\n",
                                  (part->literal_flags & HERON_IMAP_LITERAL_BINARY) ? "~" : "",
                                  part->size, non_sync ? "+" : "");
          /* The size of a secret is a secret too. */
          line = flush_text (segments, line, line_secret || part->secret);
          line_secret = FALSE;

          if (!non_sync)
            push_segment (segments, HERON_IMAP_SEGMENT_WAIT_CONTINUATION, NULL, NULL, 0, FALSE);

          push_segment (segments, HERON_IMAP_SEGMENT_LITERAL,
                        part->bytes != NULL ? g_bytes_ref (part->bytes) : NULL,
                        part->stream, part->size, part->secret);
          break;

        case PART_CONTINUATION:
          g_string_append (line, "\r\n");
          line = flush_text (segments, line, line_secret);
          line_secret = FALSE;
          push_segment (segments, HERON_IMAP_SEGMENT_WAIT_CONTINUATION, NULL, NULL, 0, FALSE);
          break;

        default:
          g_assert_not_reached ();
        }
    }

  g_string_append (line, "\r\n");
  line = flush_text (segments, line, line_secret);
  g_string_free (line, TRUE);

  return g_steal_pointer (&segments);
}

static gboolean
append_stream (GByteArray    *out,
               GInputStream  *stream,
               guint64        size,
               GError       **error)
{
  guchar buffer[16384];
  guint64 copied = 0;

  while (copied < size)
    {
      gsize want = (gsize) MIN (size - copied, sizeof buffer);
      gsize got = 0;

      if (!g_input_stream_read_all (stream, buffer, want, &got, NULL, error))
        return FALSE;

      g_byte_array_append (out, buffer, (guint) got);
      copied += got;

      if (got < want)
        {
          g_set_error (error, G_IO_ERROR, G_IO_ERROR_PARTIAL_INPUT,
                       "The literal's stream ended after %" G_GUINT64_FORMAT " of %"
                       G_GUINT64_FORMAT " octets", copied, size);
          return FALSE;
        }
    }

  return TRUE;
}

/* Every octet of the command as if each continuation had been granted: for tests, and for
 * commands without synchronizing literals. Reads streamed literals. Holds secrets as they are. */
GBytes *
heron_imap_command_serialize_all (HeronImapCommand      *self,
                                  HeronImapLiteralMode   mode,
                                  GError               **error)
{
  g_autoptr(GPtrArray) segments = NULL;
  g_autoptr(GByteArray) out = NULL;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  segments = heron_imap_command_get_segments (self, mode, error);
  if (segments == NULL)
    return NULL;

  out = g_byte_array_new ();

  for (guint i = 0; i < segments->len; i++)
    {
      const HeronImapSegment *segment = g_ptr_array_index (segments, i);

      if (segment->bytes != NULL)
        {
          gsize size;
          const guint8 *data = g_bytes_get_data (segment->bytes, &size);

          g_byte_array_append (out, data, (guint) size);
        }
      else if (segment->stream != NULL)
        {
          if (!append_stream (out, segment->stream, segment->size, error))
            return NULL;
        }
    }

  return g_byte_array_free_to_bytes (g_steal_pointer (&out));
}

/* Control characters and invalid UTF-8 out, so a log line stays one readable line. */
static void
append_for_log (GString    *log,
                const char *text,
                gsize       length)
{
  g_autofree char *valid = NULL;
  g_autofree char *copy = g_malloc (length + 1);

  for (gsize i = 0; i < length; i++)
    {
      guchar c = (guchar) text[i];

      copy[i] = (c < 0x20 || c == 0x7f) ? '?' : (char) c;
    }
  copy[length] = '\0';

  valid = g_utf8_make_valid (copy, (gssize) length);
  g_string_append (log, valid);
}

/* The command as one line that is safe to log: passwords, SASL data and every literal's content
 * are left out ("<redacted>", "{n bytes}"). */
char *
heron_imap_command_to_log_string (HeronImapCommand *self)
{
  GString *log;

  g_return_val_if_fail (self != NULL, NULL);

  log = g_string_new (NULL);

  if (self->tagged)
    {
      g_string_append (log, self->tag != NULL ? self->tag : "-");
      g_string_append_c (log, ' ');
    }
  if (self->name != NULL)
    g_string_append (log, self->name);

  for (guint i = 0; i < self->parts->len; i++)
    {
      const Part *part = g_ptr_array_index (self->parts, i);

      switch (part->kind)
        {
        case PART_TEXT:
          if (part->secret)
            g_string_append (log, "<redacted>");
          else
            append_for_log (log, part->text->str, part->text->len);
          break;

        case PART_LITERAL:
          if (part->secret)
            g_string_append (log, "<redacted>");
          else
            g_string_append_printf (log, "%s{%" G_GUINT64_FORMAT " bytes}",
                                    (part->literal_flags & HERON_IMAP_LITERAL_BINARY) ? "~" : "",
                                    part->size);
          break;

        case PART_CONTINUATION:
          /* What follows goes after the server's "+". */
          g_string_append (log, " [+] ");
          break;

        default:
          g_assert_not_reached ();
        }
    }

  return g_string_free (log, FALSE);
}

/* A line the client sends in answer to a continuation request during self, made safe to log:
 * during AUTHENTICATE every such line is <redacted>. */
char *
heron_imap_command_continuation_to_log_string (HeronImapCommand *self,
                                               const char       *line,
                                               gssize            length)
{
  GString *log;
  gsize len;

  g_return_val_if_fail (self != NULL, NULL);
  g_return_val_if_fail (line != NULL || length == 0, NULL);

  if (self->secret_continuations)
    return g_strdup ("<redacted>");

  len = length < 0 ? strlen (line) : (gsize) length;
  while (len > 0 && (line[len - 1] == '\n' || line[len - 1] == '\r'))
    len--;

  log = g_string_new (NULL);
  append_for_log (log, line, len);

  return g_string_free (log, FALSE);
}

/* Tags */

HeronImapTagGenerator *
heron_imap_tag_generator_new (char prefix)
{
  return heron_imap_tag_generator_new_full (prefix, 1);
}

/* Starts at next (0 counts as 1); for tests of the wrap, and to keep counting across a
 * reconnection if a log reader wants tags that do not repeat. */
HeronImapTagGenerator *
heron_imap_tag_generator_new_full (char    prefix,
                                   guint32 next)
{
  HeronImapTagGenerator *self;

  g_return_val_if_fail (g_ascii_isupper (prefix), NULL);

  self = g_new0 (HeronImapTagGenerator, 1);
  self->prefix = prefix;
  self->next = MAX (next, 1);

  return self;
}

char *
heron_imap_tag_generator_next (HeronImapTagGenerator *self)
{
  char *tag;

  g_return_val_if_fail (self != NULL, NULL);

  tag = g_strdup_printf ("%c%04u", self->prefix, self->next);

  if (self->next == G_MAXUINT32)
    {
      self->next = 1;
      self->prefix = self->prefix == 'Z' ? 'A' : (char) (self->prefix + 1);
    }
  else
    {
      self->next++;
    }

  return tag;
}

void
heron_imap_tag_generator_free (HeronImapTagGenerator *self)
{
  g_free (self);
}

