/* heron-mime-composition.c: the composition struct, its attachments, and drafts read back
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#include "config.h"

#include <string.h>

#include "heron-mime-composer.h"
#include "heron-mime-private.h"

HeronMimeComposeAttachment *
heron_mime_compose_attachment_new_for_file (GFile *file)
{
  HeronMimeComposeAttachment *self;

  g_return_val_if_fail (G_IS_FILE (file), NULL);
  self = g_new0 (HeronMimeComposeAttachment, 1);
  self->file = g_object_ref (file);
  return self;
}

HeronMimeComposeAttachment *
heron_mime_compose_attachment_new_for_data (GBytes     *data,
                                            const char *filename,
                                            const char *content_type)
{
  HeronMimeComposeAttachment *self;

  g_return_val_if_fail (data != NULL, NULL);
  self = g_new0 (HeronMimeComposeAttachment, 1);
  self->data = g_bytes_ref (data);
  self->filename = g_strdup (filename);
  self->content_type = g_strdup (content_type);
  return self;
}

HeronMimeComposeAttachment *
heron_mime_compose_attachment_copy (const HeronMimeComposeAttachment *self)
{
  HeronMimeComposeAttachment *copy;

  g_return_val_if_fail (self != NULL, NULL);
  copy = g_new0 (HeronMimeComposeAttachment, 1);
  copy->file = self->file != NULL ? g_object_ref (self->file) : NULL;
  copy->data = self->data != NULL ? g_bytes_ref (self->data) : NULL;
  copy->filename = g_strdup (self->filename);
  copy->content_type = g_strdup (self->content_type);
  copy->is_message = self->is_message;
  return copy;
}

void
heron_mime_compose_attachment_free (HeronMimeComposeAttachment *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->file);
  g_clear_pointer (&self->data, g_bytes_unref);
  g_free (self->filename);
  g_free (self->content_type);
  g_free (self);
}

static GPtrArray *
address_array (void)
{
  return g_ptr_array_new_with_free_func ((GDestroyNotify) heron_mime_address_free);
}

HeronMimeComposition *
heron_mime_composition_new (HeronAccountIdentity *identity)
{
  HeronMimeComposition *self = g_new0 (HeronMimeComposition, 1);

  self->kind = HERON_MIME_COMPOSE_NEW;
  self->identity = identity != NULL ? g_object_ref (identity) : NULL;
  self->to = address_array ();
  self->cc = address_array ();
  self->bcc = address_array ();
  self->subject = g_strdup ("");
  self->body = g_strdup ("");
  self->attachments = g_ptr_array_new_with_free_func ((GDestroyNotify) heron_mime_compose_attachment_free);
  self->references = g_ptr_array_new_with_free_func (g_free);
  self->flowed = TRUE;
  return self;
}

static void
copy_addresses (GPtrArray *to,
                GPtrArray *from)
{
  for (guint i = 0; from != NULL && i < from->len; i++)
    g_ptr_array_add (to, heron_mime_address_copy (g_ptr_array_index (from, i)));
}

HeronMimeComposition *
heron_mime_composition_copy (const HeronMimeComposition *self)
{
  HeronMimeComposition *copy;

  g_return_val_if_fail (self != NULL, NULL);

  copy = heron_mime_composition_new (self->identity != NULL ? heron_account_identity_copy (self->identity) : NULL);
  /* heron_account_identity_copy returned a new reference that composition_new took another of */
  if (copy->identity != NULL)
    g_object_unref (copy->identity);
  copy->kind = self->kind;
  copy_addresses (copy->to, self->to);
  copy_addresses (copy->cc, self->cc);
  copy_addresses (copy->bcc, self->bcc);
  g_free (copy->subject);
  copy->subject = g_strdup (self->subject != NULL ? self->subject : "");
  g_free (copy->body);
  copy->body = g_strdup (self->body != NULL ? self->body : "");
  for (guint i = 0; self->attachments != NULL && i < self->attachments->len; i++)
    g_ptr_array_add (copy->attachments,
                     heron_mime_compose_attachment_copy (g_ptr_array_index (self->attachments, i)));
  copy->in_reply_to = g_strdup (self->in_reply_to);
  for (guint i = 0; self->references != NULL && i < self->references->len; i++)
    g_ptr_array_add (copy->references, g_strdup (g_ptr_array_index (self->references, i)));
  copy->flowed = self->flowed;
  return copy;
}

void
heron_mime_composition_free (HeronMimeComposition *self)
{
  if (self == NULL)
    return;
  g_clear_object (&self->identity);
  g_clear_pointer (&self->to, g_ptr_array_unref);
  g_clear_pointer (&self->cc, g_ptr_array_unref);
  g_clear_pointer (&self->bcc, g_ptr_array_unref);
  g_free (self->subject);
  g_free (self->body);
  g_clear_pointer (&self->attachments, g_ptr_array_unref);
  g_free (self->in_reply_to);
  g_clear_pointer (&self->references, g_ptr_array_unref);
  g_free (self);
}

void
heron_mime_composition_add_recipient (GPtrArray  *list,
                                      const char *name,
                                      const char *address)
{
  g_return_if_fail (list != NULL);
  g_return_if_fail (address != NULL);
  g_ptr_array_add (list, heron_mime_address_new (name, address));
}

void
heron_mime_outgoing_free (HeronMimeOutgoing *self)
{
  if (self == NULL)
    return;
  g_clear_pointer (&self->message, g_bytes_unref);
  g_free (self->message_id);
  g_free (self->envelope_from);
  g_strfreev (self->recipients);
  g_free (self);
}

static const struct {
  HeronMimeComposeKind kind;
  const char *name;
} kind_names[] = {
  { HERON_MIME_COMPOSE_NEW, "new" },
  { HERON_MIME_COMPOSE_REPLY, "reply" },
  { HERON_MIME_COMPOSE_REPLY_ALL, "reply-all" },
  { HERON_MIME_COMPOSE_FORWARD_INLINE, "forward" },
  { HERON_MIME_COMPOSE_FORWARD_ATTACHMENT, "forward-attachment" },
};

const char *
_heron_mime_compose_kind_to_string (HeronMimeComposeKind kind)
{
  for (guint i = 0; i < G_N_ELEMENTS (kind_names); i++)
    if (kind_names[i].kind == kind)
      return kind_names[i].name;
  return "new";
}

static HeronMimeComposeKind
kind_from_string (const char *name)
{
  for (guint i = 0; name != NULL && i < G_N_ELEMENTS (kind_names); i++)
    if (g_ascii_strcasecmp (kind_names[i].name, name) == 0)
      return kind_names[i].kind;
  return HERON_MIME_COMPOSE_NEW;
}

HeronAccountIdentity *
_heron_mime_find_identity (GPtrArray  *identities,
                           const char *address)
{
  for (guint i = 0; identities != NULL && i < identities->len; i++)
    {
      HeronAccountIdentity *id = g_ptr_array_index (identities, i);

      if (heron_mime_address_equal_addr (heron_account_identity_get_address (id), address))
        return id;
    }
  return NULL;
}

HeronMimeComposition *
heron_mime_composition_new_from_draft (HeronMimeMessage *draft,
                                       GPtrArray        *identities)
{
  HeronMimeComposition *self;
  GPtrArray *from;
  HeronAccountIdentity *identity = NULL;
  g_autoptr(HeronAccountIdentity) made = NULL;
  g_autofree char *kind = NULL;
  GPtrArray *attachments;
  const char * const *refs;

  g_return_val_if_fail (HERON_IS_MIME_MESSAGE (draft), NULL);

  from = heron_mime_message_get_from (draft);
  if (from->len > 0)
    {
      const HeronMimeAddress *a = g_ptr_array_index (from, 0);

      identity = _heron_mime_find_identity (identities, a->address);
      if (identity == NULL)
        identity = made = heron_account_identity_new (a->name, a->address);
    }
  else if (identities != NULL && identities->len > 0)
    identity = g_ptr_array_index (identities, 0);

  self = heron_mime_composition_new (identity);
  kind = heron_mime_message_dup_header (draft, HERON_MIME_DRAFT_HEADER);
  self->kind = kind_from_string (kind);
  copy_addresses (self->to, heron_mime_message_get_to (draft));
  copy_addresses (self->cc, heron_mime_message_get_cc (draft));
  copy_addresses (self->bcc, heron_mime_message_get_bcc (draft));
  g_free (self->subject);
  self->subject = g_strdup (heron_mime_message_get_subject (draft));
  g_free (self->body);
  self->body = g_strdup (heron_mime_message_get_text (draft));
  self->in_reply_to = g_strdup (heron_mime_message_get_in_reply_to (draft));
  refs = heron_mime_message_get_references (draft);
  for (guint i = 0; refs[i] != NULL; i++)
    g_ptr_array_add (self->references, g_strdup (refs[i]));

  attachments = heron_mime_message_get_attachments (draft);
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
  return self;
}
