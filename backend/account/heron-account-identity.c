/* heron-account-identity.c: one sender identity of an account
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-account-identity.h"

struct _HeronAccountIdentity
{
  GObject parent_instance;

  char *name;
  char *address;
  char *signature;
  char *reply_to;
};

G_DEFINE_FINAL_TYPE (HeronAccountIdentity, heron_account_identity, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_NAME,
  PROP_ADDRESS,
  PROP_SIGNATURE,
  PROP_REPLY_TO,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

/* Empty strings are stored as NULL, so "no signature" has one representation. */
static gboolean
set_string (char       **field,
            const char  *value)
{
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  return TRUE;
}

static void
heron_account_identity_finalize (GObject *object)
{
  HeronAccountIdentity *self = HERON_ACCOUNT_IDENTITY (object);

  g_clear_pointer (&self->name, g_free);
  g_clear_pointer (&self->address, g_free);
  g_clear_pointer (&self->signature, g_free);
  g_clear_pointer (&self->reply_to, g_free);

  G_OBJECT_CLASS (heron_account_identity_parent_class)->finalize (object);
}

static void
heron_account_identity_get_property (GObject    *object,
                                     guint       prop_id,
                                     GValue     *value,
                                     GParamSpec *pspec)
{
  HeronAccountIdentity *self = HERON_ACCOUNT_IDENTITY (object);

  switch (prop_id)
    {
    case PROP_NAME:
      g_value_set_string (value, self->name);
      break;
    case PROP_ADDRESS:
      g_value_set_string (value, self->address);
      break;
    case PROP_SIGNATURE:
      g_value_set_string (value, self->signature);
      break;
    case PROP_REPLY_TO:
      g_value_set_string (value, self->reply_to);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_account_identity_set_property (GObject      *object,
                                     guint         prop_id,
                                     const GValue *value,
                                     GParamSpec   *pspec)
{
  HeronAccountIdentity *self = HERON_ACCOUNT_IDENTITY (object);

  switch (prop_id)
    {
    case PROP_NAME:
      heron_account_identity_set_name (self, g_value_get_string (value));
      break;
    case PROP_ADDRESS:
      heron_account_identity_set_address (self, g_value_get_string (value));
      break;
    case PROP_SIGNATURE:
      heron_account_identity_set_signature (self, g_value_get_string (value));
      break;
    case PROP_REPLY_TO:
      heron_account_identity_set_reply_to (self, g_value_get_string (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_account_identity_class_init (HeronAccountIdentityClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = heron_account_identity_finalize;
  object_class->get_property = heron_account_identity_get_property;
  object_class->set_property = heron_account_identity_set_property;

  properties[PROP_NAME] =
    g_param_spec_string ("name", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ADDRESS] =
    g_param_spec_string ("address", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SIGNATURE] =
    g_param_spec_string ("signature", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_REPLY_TO] =
    g_param_spec_string ("reply-to", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heron_account_identity_init (HeronAccountIdentity *self)
{
}

HeronAccountIdentity *
heron_account_identity_new (const char *name,
                            const char *address)
{
  return g_object_new (HERON_TYPE_ACCOUNT_IDENTITY,
                       "name", name,
                       "address", address,
                       NULL);
}

HeronAccountIdentity *
heron_account_identity_copy (HeronAccountIdentity *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_IDENTITY (self), NULL);

  return g_object_new (HERON_TYPE_ACCOUNT_IDENTITY,
                       "name", self->name,
                       "address", self->address,
                       "signature", self->signature,
                       "reply-to", self->reply_to,
                       NULL);
}

const char *
heron_account_identity_get_name (HeronAccountIdentity *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_IDENTITY (self), NULL);
  return self->name;
}

void
heron_account_identity_set_name (HeronAccountIdentity *self,
                                 const char           *name)
{
  g_return_if_fail (HERON_IS_ACCOUNT_IDENTITY (self));
  if (set_string (&self->name, name))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_NAME]);
}

const char *
heron_account_identity_get_address (HeronAccountIdentity *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_IDENTITY (self), NULL);
  return self->address;
}

void
heron_account_identity_set_address (HeronAccountIdentity *self,
                                    const char           *address)
{
  g_return_if_fail (HERON_IS_ACCOUNT_IDENTITY (self));
  if (set_string (&self->address, address))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ADDRESS]);
}

const char *
heron_account_identity_get_signature (HeronAccountIdentity *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_IDENTITY (self), NULL);
  return self->signature;
}

void
heron_account_identity_set_signature (HeronAccountIdentity *self,
                                      const char           *signature)
{
  g_return_if_fail (HERON_IS_ACCOUNT_IDENTITY (self));
  if (set_string (&self->signature, signature))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SIGNATURE]);
}

const char *
heron_account_identity_get_reply_to (HeronAccountIdentity *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_IDENTITY (self), NULL);
  return self->reply_to;
}

void
heron_account_identity_set_reply_to (HeronAccountIdentity *self,
                                     const char           *reply_to)
{
  g_return_if_fail (HERON_IS_ACCOUNT_IDENTITY (self));
  if (set_string (&self->reply_to, reply_to))
    g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_REPLY_TO]);
}

gboolean
heron_account_address_is_valid (const char *address)
{
  const char *at;

  if (address == NULL || !g_utf8_validate (address, -1, NULL))
    return FALSE;

  at = strchr (address, '@');
  if (at == NULL || at == address || at[1] == '\0' || strchr (at + 1, '@') != NULL)
    return FALSE;

  for (const char *p = address; *p != '\0'; p++)
    {
      guchar c = (guchar) *p;

      if (c <= ' ' || c == 0x7f || c == '<' || c == '>' || c == ',' || c == ';')
        return FALSE;
    }

  /* The domain needs at least a label; "a@." or "a@b." is not an address. */
  if (at[1] == '.' || g_str_has_suffix (at + 1, ".."))
    return FALSE;

  return TRUE;
}
