/* heron-mime-reply.c: replies and forwards: recipients, subjects, quoting, attribution
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "heron-mime-composer.h"
#include "heron-mime-private.h"

/* Prefixes recognised when stripping, compared without case. "Re" in many languages: German AW,
 * Scandinavian SV, Dutch Antw, Polish Odp, Turkish Ynt, French Réf, Italian R/RIF, Spanish RE,
 * Portuguese Res, Greek ΑΠ/ΣΧΕΤ, Hebrew השב, Chinese 回复/答复, Japanese 返信. Forward: Fwd, Fw,
 * German WG, French TR, Spanish RV, Portuguese Enc, Dutch Doorst, Polish PD, Turkish İlt,
 * Swedish VB, Chinese 转发, Japanese 転送. "VS" is left out: it is Finnish for reply and Danish
 * for forward. */
static const char * const reply_prefixes[] = {
  "re", "aw", "sv", "antw", "odp", "ynt", "réf", "ref", "rif", "r", "res", "απ", "σχετ",
  "השב", "回复", "答复", "返信", NULL
};
static const char * const forward_prefixes[] = {
  "fwd", "fw", "wg", "tr", "rv", "enc", "doorst", "pd", "i̇lt", "ilt", "vb", "转发", "転送", NULL
};

/* Length of a prefix ("Re:", "RE[2]:", "Fwd :", "回复：") at s, or 0. */
static gsize
match_prefix (const char         *s,
              const char * const *prefixes)
{
  for (guint i = 0; prefixes[i] != NULL; i++)
    {
      gsize n = strlen (prefixes[i]);
      g_autofree char *head = NULL;
      g_autofree char *folded = NULL;
      const char *p;

      if (strlen (s) < n)
        continue;
      /* compare the same number of characters, folded */
      p = s;
      for (glong chars = g_utf8_strlen (prefixes[i], -1); chars > 0 && *p != '\0'; chars--)
        p = g_utf8_next_char (p);
      head = g_strndup (s, p - s);
      folded = g_utf8_casefold (head, -1);
      if (strcmp (folded, prefixes[i]) != 0)
        continue;
      /* optional counter: [2] or (2) */
      if (*p == '[' || *p == '(')
        {
          char close = *p == '[' ? ']' : ')';
          const char *q = p + 1;

          while (g_ascii_isdigit (*q))
            q++;
          if (q > p + 1 && *q == close)
            p = q + 1;
        }
      while (*p == ' ')
        p++;
      if (*p == ':')
        return p + 1 - s;
      if (g_str_has_prefix (p, "\xef\xbc\x9a"))  /* fullwidth colon */
        return p + 3 - s;
    }
  return 0;
}

static const char *
skip_prefixes (const char *subject,
               gboolean    reply,
               gboolean    forward)
{
  const char *p = subject;

  for (;;)
    {
      gsize n = 0;

      while (g_ascii_isspace (*p))
        p++;
      if (reply)
        n = match_prefix (p, reply_prefixes);
      if (n == 0 && forward)
        n = match_prefix (p, forward_prefixes);
      if (n == 0)
        return p;
      p += n;
    }
}

char *
heron_mime_subject_strip (const char *subject)
{
  g_return_val_if_fail (subject != NULL, NULL);
  return g_strstrip (g_strdup (skip_prefixes (subject, TRUE, TRUE)));
}

char *
heron_mime_subject_for_reply (const char *subject)
{
  g_autofree char *rest = NULL;

  g_return_val_if_fail (subject != NULL, NULL);
  rest = g_strstrip (g_strdup (skip_prefixes (subject, TRUE, FALSE)));
  /* the prefix on the wire is always "Re:" (RFC 5322 3.6.5), never translated */
  return g_strconcat ("Re: ", rest, NULL);
}

char *
heron_mime_subject_for_forward (const char *subject)
{
  g_autofree char *rest = NULL;

  g_return_val_if_fail (subject != NULL, NULL);
  rest = g_strstrip (g_strdup (skip_prefixes (subject, FALSE, TRUE)));
  return g_strconcat ("Fwd: ", rest, NULL);
}

char *
heron_mime_quote_text (const char *text)
{
  g_auto(GStrv) lines = NULL;
  GString *out;
  guint n;

  g_return_val_if_fail (text != NULL, NULL);

  lines = g_strsplit (text, "\n", -1);
  n = g_strv_length (lines);
  /* no trailing empty lines in the quote */
  while (n > 0 && lines[n - 1][0] == '\0')
    n--;
  out = g_string_new (NULL);
  for (guint i = 0; i < n; i++)
    {
      const char *line = lines[i];

      if (line[0] == '>' || line[0] == '\0')
        g_string_append_c (out, '>');
      else
        g_string_append (out, "> ");
      g_string_append (out, line);
      g_string_append_c (out, '\n');
    }
  return g_string_free (out, FALSE);
}

static const char *
first_name (HeronMimeMessage *original)
{
  GPtrArray *from = heron_mime_message_get_from (original);
  const HeronMimeAddress *a;

  if (from->len == 0)
    return NULL;
  a = g_ptr_array_index (from, 0);
  return a->name[0] != '\0' ? a->name : a->address;
}

char *
heron_mime_attribution (HeronMimeMessage *original)
{
  GDateTime *date;
  g_autofree char *name = NULL;

  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (original), NULL);

  name = heron_mime_sender_clean_name (first_name (original) != NULL ? first_name (original) :
                                       /* Translators: who wrote a quoted message, when unknown */
                                       _("someone"));
  date = heron_mime_message_get_date (original);
  if (date != NULL)
    {
      g_autoptr(GDateTime) local = g_date_time_to_local (date);
      /* Translators: the date in a reply's attribution line, see g_date_time_format() */
      g_autofree char *when = g_date_time_format (local, C_("attribution date", "%a, %b %-d, %Y at %H:%M"));

      /* Translators: the line above a quoted message: "On <date>, <name> wrote:" */
      return g_strdup_printf (_("On %s, %s wrote:"), when, name);
    }
  /* Translators: the line above a quoted message of unknown date */
  return g_strdup_printf (_("%s wrote:"), name);
}

/* The text without its signature ("-- " and what follows). */
static char *
without_signature (const char *text)
{
  const char *sig = NULL;

  if (g_str_has_prefix (text, "-- \n"))
    sig = text;
  else
    {
      const char *p = strstr (text, "\n-- \n");

      if (p != NULL)
        sig = p + 1;
    }
  return sig != NULL ? g_strndup (text, sig - text) : g_strdup (text);
}

char *
heron_mime_signature_block (HeronAccountIdentity *identity)
{
  const char *sig;
  GString *block;

  g_return_val_if_fail (identity == NULL || HERON_IS_ACCOUNT_IDENTITY (identity), NULL);

  sig = identity != NULL ? heron_account_identity_get_signature (identity) : NULL;
  if (sig == NULL || *sig == '\0')
    return NULL;
  block = g_string_new (NULL);
  /* a signature that brings its own separator gets no second one */
  if (!g_str_has_prefix (sig, "-- \n"))
    g_string_append (block, "-- \n");
  g_string_append (block, sig);
  if (block->str[block->len - 1] != '\n')
    g_string_append_c (block, '\n');
  return g_string_free (block, FALSE);
}

/* The block on a line of its own at the end of @body. */
static void
append_block (GString    *body,
              const char *block)
{
  if (block == NULL)
    return;
  if (body->len > 0 && body->str[body->len - 1] != '\n')
    g_string_append_c (body, '\n');
  g_string_append (body, block);
}

static void
append_signature (GString              *body,
                  HeronAccountIdentity *identity)
{
  g_autofree char *block = heron_mime_signature_block (identity);

  append_block (body, block);
}

HeronMimeComposition *
heron_mime_composition_new_message (HeronAccountIdentity *identity)
{
  HeronMimeComposition *self;
  g_autofree char *block = NULL;

  g_return_val_if_fail (identity == NULL || HERON_IS_ACCOUNT_IDENTITY (identity), NULL);

  self = heron_mime_composition_new (identity);
  block = heron_mime_signature_block (identity);
  if (block != NULL)
    {
      g_free (self->body);
      /* two empty lines to write in, above the signature */
      self->body = g_strconcat ("\n\n", block, NULL);
    }
  return self;
}

char *
heron_mime_replace_signature (const char           *body,
                              HeronAccountIdentity *old_identity,
                              HeronAccountIdentity *new_identity)
{
  g_autofree char *old_block = NULL;
  g_autofree char *new_block = NULL;
  gsize keep;
  GString *out;

  g_return_val_if_fail (body != NULL, NULL);
  g_return_val_if_fail (old_identity == NULL || HERON_IS_ACCOUNT_IDENTITY (old_identity), NULL);
  g_return_val_if_fail (new_identity == NULL || HERON_IS_ACCOUNT_IDENTITY (new_identity), NULL);

  old_block = heron_mime_signature_block (old_identity);
  new_block = heron_mime_signature_block (new_identity);
  keep = strlen (body);
  if (old_block != NULL)
    {
      gsize old_len = strlen (old_block);

      /* the old block, unchanged, on lines of its own at the very end */
      if (keep < old_len || strcmp (body + keep - old_len, old_block) != 0)
        return NULL;
      keep -= old_len;
      if (keep > 0 && body[keep - 1] != '\n')
        return NULL;
    }
  out = g_string_new_len (body, keep);
  append_block (out, new_block);
  return g_string_free (out, FALSE);
}

static gboolean
is_own (GPtrArray  *identities,
        const char *address)
{
  return _heron_mime_find_identity (identities, address) != NULL;
}

/* The identity the original was sent to (To, Cc, Delivered-To), else the default. */
static HeronAccountIdentity *
choose_identity (HeronMimeMessage *original,
                 GPtrArray        *identities)
{
  GPtrArray *lists[] = {
    heron_mime_message_get_to (original),
    heron_mime_message_get_cc (original),
    heron_mime_message_get_from (original),
  };
  g_autofree char *delivered = heron_mime_message_dup_header (original, "Delivered-To");

  if (identities == NULL || identities->len == 0)
    return NULL;
  for (guint l = 0; l < G_N_ELEMENTS (lists); l++)
    for (guint i = 0; i < lists[l]->len; i++)
      {
        const HeronMimeAddress *a = g_ptr_array_index (lists[l], i);
        HeronAccountIdentity *id = _heron_mime_find_identity (identities, a->address);

        if (id != NULL)
          return id;
      }
  if (delivered != NULL)
    {
      g_autofree char *addr = _heron_mime_parse_msgid (delivered);
      HeronAccountIdentity *id = _heron_mime_find_identity (identities, addr != NULL ? addr : delivered);

      if (id != NULL)
        return id;
    }
  return g_ptr_array_index (identities, 0);
}

static gboolean
contains_address (GPtrArray  *list,
                  const char *address)
{
  for (guint i = 0; i < list->len; i++)
    if (heron_mime_address_equal_addr (((HeronMimeAddress *) g_ptr_array_index (list, i))->address, address))
      return TRUE;
  return FALSE;
}

/* Adds the addresses of `from` to `list` that are neither own (when skip_own) nor already in
 * `list` or `also`. */
static void
merge (GPtrArray *list,
       GPtrArray *from,
       GPtrArray *also,
       GPtrArray *identities,
       gboolean   skip_own)
{
  for (guint i = 0; i < from->len; i++)
    {
      const HeronMimeAddress *a = g_ptr_array_index (from, i);

      if (a->address[0] == '\0')
        continue;
      if (skip_own && is_own (identities, a->address))
        continue;
      if (contains_address (list, a->address) || (also != NULL && contains_address (also, a->address)))
        continue;
      g_ptr_array_add (list, heron_mime_address_copy (a));
    }
}

static void
thread_headers (HeronMimeComposition *self,
                HeronMimeMessage     *original)
{
  const char * const *refs = heron_mime_message_get_references (original);
  const char *msgid = heron_mime_message_get_message_id (original);
  const char *irt = heron_mime_message_get_in_reply_to (original);
  g_autoptr(GPtrArray) chain = g_ptr_array_new ();

  for (guint i = 0; refs[i] != NULL; i++)
    g_ptr_array_add (chain, (gpointer) refs[i]);
  /* a parent known only from In-Reply-To still belongs in the chain (RFC 5322 3.6.4) */
  if (chain->len == 0 && irt != NULL)
    g_ptr_array_add (chain, (gpointer) irt);
  if (msgid != NULL)
    g_ptr_array_add (chain, (gpointer) msgid);
  if (chain->len > HERON_MIME_COMPOSE_MAX_REFERENCES)
    g_ptr_array_remove_range (chain, 1, chain->len - HERON_MIME_COMPOSE_MAX_REFERENCES);
  for (guint i = 0; i < chain->len; i++)
    g_ptr_array_add (self->references, g_strdup (g_ptr_array_index (chain, i)));
  self->in_reply_to = g_strdup (msgid);
}

HeronMimeComposition *
heron_mime_composition_new_reply (HeronMimeMessage *original,
                                  GPtrArray        *identities,
                                  gboolean          reply_all)
{
  HeronMimeComposition *self;
  GPtrArray *from, *reply_to, *to, *cc, *followup;
  gboolean from_is_own;
  g_autofree char *attribution = NULL;
  g_autofree char *text = NULL;
  g_autofree char *quoted = NULL;
  GString *body;

  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (original), NULL);

  self = heron_mime_composition_new (choose_identity (original, identities));
  self->kind = reply_all ? HERON_MIME_COMPOSE_REPLY_ALL : HERON_MIME_COMPOSE_REPLY;

  from = heron_mime_message_get_from (original);
  reply_to = heron_mime_message_get_reply_to (original);
  to = heron_mime_message_get_to (original);
  cc = heron_mime_message_get_cc (original);
  followup = heron_mime_message_get_mail_followup_to (original);
  from_is_own = from->len > 0 && is_own (identities, ((HeronMimeAddress *) g_ptr_array_index (from, 0))->address);

  if (reply_all && followup->len > 0 && !from_is_own)
    merge (self->to, followup, NULL, identities, TRUE);
  else
    {
      /* a reply to one's own message goes to its recipients again */
      GPtrArray *primary = from_is_own ? to : reply_to->len > 0 ? reply_to : from;

      merge (self->to, primary, NULL, identities, reply_all || from_is_own);
      if (reply_all)
        {
          if (!from_is_own)
            merge (self->cc, to, self->to, identities, TRUE);
          merge (self->cc, cc, self->to, identities, TRUE);
        }
    }
  if (self->to->len == 0 && self->cc->len > 0)
    {
      g_ptr_array_add (self->to, heron_mime_address_copy (g_ptr_array_index (self->cc, 0)));
      g_ptr_array_remove_index (self->cc, 0);
    }
  if (self->to->len == 0)
    merge (self->to, from, NULL, identities, FALSE);

  g_free (self->subject);
  self->subject = heron_mime_subject_for_reply (heron_mime_message_get_subject (original));
  thread_headers (self, original);

  attribution = heron_mime_attribution (original);
  text = without_signature (heron_mime_message_get_text (original));
  quoted = heron_mime_quote_text (text);
  body = g_string_new (NULL);
  g_string_append_printf (body, "%s\n%s\n", attribution, quoted);
  append_signature (body, self->identity);
  g_free (self->body);
  self->body = g_string_free (body, FALSE);
  return self;
}

static char *
format_list (GPtrArray *list)
{
  GString *out = g_string_new (NULL);

  for (guint i = 0; i < list->len; i++)
    {
      g_autofree char *one = heron_mime_address_to_string (g_ptr_array_index (list, i));

      if (i > 0)
        g_string_append (out, ", ");
      g_string_append (out, one);
    }
  return g_string_free (out, FALSE);
}

HeronMimeComposition *
heron_mime_composition_new_forward (HeronMimeMessage *original,
                                    GPtrArray        *identities,
                                    gboolean          as_attachment)
{
  HeronMimeComposition *self;
  GString *body = g_string_new ("\n");

  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (original), NULL);

  self = heron_mime_composition_new (choose_identity (original, identities));
  self->kind = as_attachment ? HERON_MIME_COMPOSE_FORWARD_ATTACHMENT : HERON_MIME_COMPOSE_FORWARD_INLINE;
  g_free (self->subject);
  self->subject = heron_mime_subject_for_forward (heron_mime_message_get_subject (original));

  if (as_attachment)
    {
      g_autoptr(GBytes) raw = heron_mime_message_get_raw (original);
      g_autofree char *name = g_strconcat (heron_mime_message_get_subject (original)[0] != '\0' ?
                                           heron_mime_message_get_subject (original) : "message",
                                           ".eml", NULL);
      HeronMimeComposeAttachment *att = heron_mime_compose_attachment_new_for_data (raw, name, "message/rfc822");

      att->is_message = TRUE;
      g_ptr_array_add (self->attachments, att);
    }
  else
    {
      GDateTime *date = heron_mime_message_get_date (original);
      g_autofree char *from = format_list (heron_mime_message_get_from (original));
      g_autofree char *to = format_list (heron_mime_message_get_to (original));
      g_autofree char *cc = format_list (heron_mime_message_get_cc (original));
      GPtrArray *attachments = heron_mime_message_get_attachments (original);

      g_string_append_printf (body, "\n%s\n", _("-------- Forwarded Message --------"));
      g_string_append_printf (body, "%s %s\n", _("Subject:"), heron_mime_message_get_subject (original));
      if (date != NULL)
        {
          g_autofree char *when = g_mime_utils_header_format_date (date);

          g_string_append_printf (body, "%s %s\n", _("Date:"), when);
        }
      g_string_append_printf (body, "%s %s\n", _("From:"), from);
      if (*to != '\0')
        g_string_append_printf (body, "%s %s\n", _("To:"), to);
      if (*cc != '\0')
        g_string_append_printf (body, "%s %s\n", _("Cc:"), cc);
      g_string_append_printf (body, "\n%s\n", heron_mime_message_get_text (original));

      /* the original's attachments travel with it */
      for (guint i = 0; i < attachments->len; i++)
        {
          HeronMimeAttachment *att = g_ptr_array_index (attachments, i);
          g_autoptr(GBytes) data = heron_mime_attachment_get_content (att, HERON_MIME_MAX_MESSAGE_SIZE, NULL);
          HeronMimeComposeAttachment *ca;

          if (data == NULL)
            continue;
          ca = heron_mime_compose_attachment_new_for_data (data, heron_mime_attachment_get_filename (att),
                                                           heron_mime_attachment_get_content_type (att));
          ca->is_message = heron_mime_attachment_is_message (att);
          g_ptr_array_add (self->attachments, ca);
        }
    }
  append_signature (body, self->identity);
  g_free (self->body);
  self->body = g_string_free (body, FALSE);
  return self;
}
