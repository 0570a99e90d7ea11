/* heron-account-server.c: how to reach one server (IMAP or SMTP) of an account
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include <glib/gi18n-lib.h>

#include "heron-account-error.h"
#include "heron-account-private.h"
#include "heron-account-server.h"

struct _HeronAccountServer
{
  GObject parent_instance;

  HeronAccountProtocol protocol;
  char *host;
  guint port;
  HeronAccountSecurity security;
  HeronAccountAuth auth;
  char *user;
  char *pinned_certificate_file;
  char *pinned_certificate_pem;
  gboolean allow_plaintext_on_loopback;
};

G_DEFINE_FINAL_TYPE (HeronAccountServer, heron_account_server, G_TYPE_OBJECT)

enum {
  PROP_0,
  PROP_PROTOCOL,
  PROP_HOST,
  PROP_PORT,
  PROP_SECURITY,
  PROP_AUTH,
  PROP_USER,
  PROP_PINNED_CERTIFICATE_FILE,
  PROP_PINNED_CERTIFICATE_PEM,
  PROP_ALLOW_PLAINTEXT_ON_LOOPBACK,
  N_PROPS
};

static GParamSpec *properties[N_PROPS];

static void
heron_account_server_finalize (GObject *object)
{
  HeronAccountServer *self = HERON_ACCOUNT_SERVER (object);

  g_clear_pointer (&self->host, g_free);
  g_clear_pointer (&self->user, g_free);
  g_clear_pointer (&self->pinned_certificate_file, g_free);
  g_clear_pointer (&self->pinned_certificate_pem, g_free);

  G_OBJECT_CLASS (heron_account_server_parent_class)->finalize (object);
}

static void
heron_account_server_get_property (GObject    *object,
                                   guint       prop_id,
                                   GValue     *value,
                                   GParamSpec *pspec)
{
  HeronAccountServer *self = HERON_ACCOUNT_SERVER (object);

  switch (prop_id)
    {
    case PROP_PROTOCOL:
      g_value_set_enum (value, self->protocol);
      break;
    case PROP_HOST:
      g_value_set_string (value, self->host);
      break;
    case PROP_PORT:
      g_value_set_uint (value, self->port);
      break;
    case PROP_SECURITY:
      g_value_set_enum (value, self->security);
      break;
    case PROP_AUTH:
      g_value_set_enum (value, self->auth);
      break;
    case PROP_USER:
      g_value_set_string (value, self->user);
      break;
    case PROP_PINNED_CERTIFICATE_FILE:
      g_value_set_string (value, self->pinned_certificate_file);
      break;
    case PROP_PINNED_CERTIFICATE_PEM:
      g_value_set_string (value, self->pinned_certificate_pem);
      break;
    case PROP_ALLOW_PLAINTEXT_ON_LOOPBACK:
      g_value_set_boolean (value, self->allow_plaintext_on_loopback);
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_account_server_set_property (GObject      *object,
                                   guint         prop_id,
                                   const GValue *value,
                                   GParamSpec   *pspec)
{
  HeronAccountServer *self = HERON_ACCOUNT_SERVER (object);

  switch (prop_id)
    {
    case PROP_PROTOCOL:
      self->protocol = g_value_get_enum (value);
      break;
    case PROP_HOST:
      heron_account_server_set_host (self, g_value_get_string (value));
      break;
    case PROP_PORT:
      heron_account_server_set_port (self, g_value_get_uint (value));
      break;
    case PROP_SECURITY:
      heron_account_server_set_security (self, g_value_get_enum (value));
      break;
    case PROP_AUTH:
      heron_account_server_set_auth (self, g_value_get_enum (value));
      break;
    case PROP_USER:
      heron_account_server_set_user (self, g_value_get_string (value));
      break;
    case PROP_PINNED_CERTIFICATE_FILE:
      heron_account_server_set_pinned_certificate_file (self, g_value_get_string (value));
      break;
    case PROP_PINNED_CERTIFICATE_PEM:
      heron_account_server_set_pinned_certificate_pem (self, g_value_get_string (value));
      break;
    case PROP_ALLOW_PLAINTEXT_ON_LOOPBACK:
      heron_account_server_set_allow_plaintext_on_loopback (self, g_value_get_boolean (value));
      break;
    default:
      G_OBJECT_WARN_INVALID_PROPERTY_ID (object, prop_id, pspec);
    }
}

static void
heron_account_server_class_init (HeronAccountServerClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = heron_account_server_finalize;
  object_class->get_property = heron_account_server_get_property;
  object_class->set_property = heron_account_server_set_property;

  properties[PROP_PROTOCOL] =
    g_param_spec_enum ("protocol", NULL, NULL,
                       HERON_TYPE_ACCOUNT_PROTOCOL, HERON_ACCOUNT_PROTOCOL_IMAP,
                       G_PARAM_READWRITE | G_PARAM_CONSTRUCT_ONLY | G_PARAM_STATIC_STRINGS);
  properties[PROP_HOST] =
    g_param_spec_string ("host", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PORT] =
    g_param_spec_uint ("port", NULL, NULL, 0, G_MAXUINT16, 0,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_SECURITY] =
    g_param_spec_enum ("security", NULL, NULL,
                       HERON_TYPE_ACCOUNT_SECURITY, HERON_ACCOUNT_SECURITY_TLS,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_AUTH] =
    g_param_spec_enum ("auth", NULL, NULL,
                       HERON_TYPE_ACCOUNT_AUTH, HERON_ACCOUNT_AUTH_PASSWORD,
                       G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_USER] =
    g_param_spec_string ("user", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PINNED_CERTIFICATE_FILE] =
    g_param_spec_string ("pinned-certificate-file", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_PINNED_CERTIFICATE_PEM] =
    g_param_spec_string ("pinned-certificate-pem", NULL, NULL, NULL,
                         G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);
  properties[PROP_ALLOW_PLAINTEXT_ON_LOOPBACK] =
    g_param_spec_boolean ("allow-plaintext-on-loopback", NULL, NULL, FALSE,
                          G_PARAM_READWRITE | G_PARAM_EXPLICIT_NOTIFY | G_PARAM_STATIC_STRINGS);

  g_object_class_install_properties (object_class, N_PROPS, properties);
}

static void
heron_account_server_init (HeronAccountServer *self)
{
  self->security = HERON_ACCOUNT_SECURITY_TLS;
  self->auth = HERON_ACCOUNT_AUTH_PASSWORD;
}

HeronAccountServer *
heron_account_server_new (HeronAccountProtocol protocol)
{
  return g_object_new (HERON_TYPE_ACCOUNT_SERVER, "protocol", protocol, NULL);
}

HeronAccountServer *
heron_account_server_copy (HeronAccountServer *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_SERVER (self), NULL);

  return g_object_new (HERON_TYPE_ACCOUNT_SERVER,
                       "protocol", self->protocol,
                       "host", self->host,
                       "port", self->port,
                       "security", self->security,
                       "auth", self->auth,
                       "user", self->user,
                       "pinned-certificate-file", self->pinned_certificate_file,
                       "pinned-certificate-pem", self->pinned_certificate_pem,
                       "allow-plaintext-on-loopback", self->allow_plaintext_on_loopback,
                       NULL);
}

/* Returns whether the value changed. */
static gboolean
set_string_property (HeronAccountServer  *self,
                     char               **field,
                     const char          *value,
                     guint                prop)
{
  if (value != NULL && value[0] == '\0')
    value = NULL;
  if (g_strcmp0 (*field, value) == 0)
    return FALSE;
  g_free (*field);
  *field = g_strdup (value);
  g_object_notify_by_pspec (G_OBJECT (self), properties[prop]);
  return TRUE;
}

/* A pinned certificate belongs to the host, port and security it was accepted for: a change of
 * any of them drops it (whichever way it was pinned), so that it is never trusted for another
 * server. */
static void
drop_pinned_certificate (HeronAccountServer *self)
{
  set_string_property (self, &self->pinned_certificate_file, NULL, PROP_PINNED_CERTIFICATE_FILE);
  set_string_property (self, &self->pinned_certificate_pem, NULL, PROP_PINNED_CERTIFICATE_PEM);
}

HeronAccountProtocol
heron_account_server_get_protocol (HeronAccountServer *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_SERVER (self), HERON_ACCOUNT_PROTOCOL_IMAP);
  return self->protocol;
}

const char *
heron_account_server_get_host (HeronAccountServer *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_SERVER (self), NULL);
  return self->host;
}

void
heron_account_server_set_host (HeronAccountServer *self,
                               const char         *host)
{
  gboolean same_server;

  g_return_if_fail (HERON_IS_ACCOUNT_SERVER (self));

  if (host != NULL && host[0] == '\0')
    host = NULL;
  /* host names are case-insensitive: "IMAP.example.org" is the server the pin was made for */
  same_server = self->host != NULL && host != NULL && g_ascii_strcasecmp (self->host, host) == 0;
  if (set_string_property (self, &self->host, host, PROP_HOST) && !same_server)
    drop_pinned_certificate (self);
}

guint
heron_account_server_get_port (HeronAccountServer *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_SERVER (self), 0);
  return self->port;
}

void
heron_account_server_set_port (HeronAccountServer *self,
                               guint               port)
{
  g_return_if_fail (HERON_IS_ACCOUNT_SERVER (self));
  guint16 old_effective_port;

  g_return_if_fail (port <= G_MAXUINT16);

  if (self->port == port)
    return;
  old_effective_port = heron_account_server_get_effective_port (self);
  self->port = port;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_PORT]);
  /* 0 and the standard port it stands for are the same server */
  if (heron_account_server_get_effective_port (self) != old_effective_port)
    drop_pinned_certificate (self);
}

guint16
heron_account_server_get_effective_port (HeronAccountServer *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_SERVER (self), 0);

  if (self->port != 0)
    return (guint16) self->port;
  return heron_account_server_get_default_port (self->protocol, self->security);
}

HeronAccountSecurity
heron_account_server_get_security (HeronAccountServer *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_SERVER (self), HERON_ACCOUNT_SECURITY_TLS);
  return self->security;
}

void
heron_account_server_set_security (HeronAccountServer   *self,
                                   HeronAccountSecurity  security)
{
  g_return_if_fail (HERON_IS_ACCOUNT_SERVER (self));
  g_return_if_fail (security <= HERON_ACCOUNT_SECURITY_NONE);

  if (self->security == security)
    return;
  self->security = security;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_SECURITY]);
  drop_pinned_certificate (self);
}

HeronAccountAuth
heron_account_server_get_auth (HeronAccountServer *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_SERVER (self), HERON_ACCOUNT_AUTH_PASSWORD);
  return self->auth;
}

void
heron_account_server_set_auth (HeronAccountServer *self,
                               HeronAccountAuth    auth)
{
  g_return_if_fail (HERON_IS_ACCOUNT_SERVER (self));
  g_return_if_fail (auth <= HERON_ACCOUNT_AUTH_OAUTHBEARER);

  if (self->auth == auth)
    return;
  self->auth = auth;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_AUTH]);
}

const char *
heron_account_server_get_user (HeronAccountServer *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_SERVER (self), NULL);
  return self->user;
}

void
heron_account_server_set_user (HeronAccountServer *self,
                               const char         *user)
{
  g_return_if_fail (HERON_IS_ACCOUNT_SERVER (self));
  set_string_property (self, &self->user, user, PROP_USER);
}

const char *
heron_account_server_get_pinned_certificate_file (HeronAccountServer *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_SERVER (self), NULL);
  return self->pinned_certificate_file;
}

void
heron_account_server_set_pinned_certificate_file (HeronAccountServer *self,
                                                  const char         *path)
{
  g_return_if_fail (HERON_IS_ACCOUNT_SERVER (self));
  set_string_property (self, &self->pinned_certificate_file, path, PROP_PINNED_CERTIFICATE_FILE);
}

const char *
heron_account_server_get_pinned_certificate_pem (HeronAccountServer *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_SERVER (self), NULL);
  return self->pinned_certificate_pem;
}

void
heron_account_server_set_pinned_certificate_pem (HeronAccountServer *self,
                                                 const char         *pem)
{
  g_return_if_fail (HERON_IS_ACCOUNT_SERVER (self));
  set_string_property (self, &self->pinned_certificate_pem, pem, PROP_PINNED_CERTIFICATE_PEM);
}

gboolean
heron_account_server_get_allow_plaintext_on_loopback (HeronAccountServer *self)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_SERVER (self), FALSE);
  return self->allow_plaintext_on_loopback;
}

void
heron_account_server_set_allow_plaintext_on_loopback (HeronAccountServer *self,
                                                      gboolean            allow)
{
  g_return_if_fail (HERON_IS_ACCOUNT_SERVER (self));

  allow = !!allow;
  if (self->allow_plaintext_on_loopback == allow)
    return;
  self->allow_plaintext_on_loopback = allow;
  g_object_notify_by_pspec (G_OBJECT (self), properties[PROP_ALLOW_PLAINTEXT_ON_LOOPBACK]);
}

GTlsCertificate *
heron_account_server_dup_pinned_certificate (HeronAccountServer  *self,
                                             GError             **error)
{
  GTlsCertificate *certificate;

  g_return_val_if_fail (HERON_IS_ACCOUNT_SERVER (self), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if (self->pinned_certificate_pem != NULL)
    {
      certificate = g_tls_certificate_new_from_pem (self->pinned_certificate_pem, -1, error);
      if (certificate == NULL)
        g_prefix_error (error, _("The pinned certificate cannot be read: "));
      return certificate;
    }

  if (self->pinned_certificate_file != NULL)
    {
      certificate = g_tls_certificate_new_from_file (self->pinned_certificate_file, error);
      if (certificate == NULL)
        g_prefix_error (error, _("The pinned certificate %s cannot be read: "),
                        self->pinned_certificate_file);
      return certificate;
    }

  return NULL;
}

guint16
heron_account_server_get_default_port (HeronAccountProtocol protocol,
                                       HeronAccountSecurity security)
{
  gboolean implicit_tls = security == HERON_ACCOUNT_SECURITY_TLS;

  if (protocol == HERON_ACCOUNT_PROTOCOL_SMTP)
    return implicit_tls ? 465 : 587;
  return implicit_tls ? 993 : 143;
}

gboolean
heron_account_host_is_valid (const char *host)
{
  g_autofree char *ascii = NULL;
  gsize length;

  if (host == NULL || host[0] == '\0' || !g_utf8_validate (host, -1, NULL))
    return FALSE;

  if (g_hostname_is_ip_address (host))
    return TRUE;

  ascii = g_hostname_to_ascii (host);
  if (ascii == NULL)
    return FALSE;

  /* RFC 1035 limits, with the letters RFC 952/1123 allow (and "_", which real DNS holds). */
  length = strlen (ascii);
  if (length > 253 || ascii[0] == '.' || ascii[0] == '-')
    return FALSE;
  for (gsize i = 0; i < length; i++)
    {
      char c = ascii[i];

      if (!g_ascii_isalnum (c) && c != '-' && c != '.' && c != '_')
        return FALSE;
      if (c == '.' && ascii[i + 1] == '.')
        return FALSE;
    }

  return TRUE;
}

gboolean
heron_account_host_is_loopback (const char *host)
{
  g_autoptr(GInetAddress) address = NULL;

  if (host == NULL)
    return FALSE;

  if (g_ascii_strcasecmp (host, "localhost") == 0 || g_ascii_strcasecmp (host, "localhost.") == 0)
    return TRUE;

  address = g_inet_address_new_from_string (host);
  return address != NULL && g_inet_address_get_is_loopback (address);
}

/* A PEM text with at least one whole certificate block. The TLS backend parses it when it
 * connects; here we only catch what a hand edit breaks without loading the TLS module. */
static gboolean
pem_looks_valid (const char *pem)
{
  const char *begin = strstr (pem, "-----BEGIN CERTIFICATE-----");

  return begin != NULL && strstr (begin, "-----END CERTIFICATE-----") != NULL;
}

gboolean
_heron_account_server_check (HeronAccountServer  *self,
                             const char         **out_key,
                             GError             **error)
{
  const char *key = NULL;

  g_assert (HERON_IS_ACCOUNT_SERVER (self));

  if (self->host == NULL)
    {
      key = "Host";
      g_set_error_literal (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                           _("The host name is missing"));
    }
  else if (!heron_account_host_is_valid (self->host))
    {
      key = "Host";
      g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                   _("“%s” is not a host name or IP address"), self->host);
    }
  else if (self->security == HERON_ACCOUNT_SECURITY_NONE
           && !heron_account_host_is_loopback (self->host))
    {
      key = "Security";
      g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INSECURE,
                   _("Security “none” sends the password and all mail unencrypted, so it is only "
                     "allowed for a server on this computer (localhost, 127.0.0.0/8 or ::1); "
                     "“%s” is not one. Use tls or starttls"),
                   self->host);
    }
  else if (self->security == HERON_ACCOUNT_SECURITY_NONE && !self->allow_plaintext_on_loopback)
    {
      key = "Security";
      g_set_error_literal (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INSECURE,
                           _("Security “none” needs AllowPlaintextOnLoopback=true as well: plain "
                             "text is never used unless the account asks for it"));
    }
  else if (self->user == NULL)
    {
      key = "User";
      g_set_error_literal (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                           _("The user name is missing"));
    }
  else if (self->pinned_certificate_file != NULL && self->pinned_certificate_pem != NULL)
    {
      key = "PinnedCertificate";
      g_set_error_literal (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                           _("Pin a certificate either by file (PinnedCertificateFile) or by its "
                             "text (PinnedCertificate), not both"));
    }
  else if (self->pinned_certificate_file != NULL
           && !g_path_is_absolute (self->pinned_certificate_file))
    {
      key = "PinnedCertificateFile";
      g_set_error (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                   _("The pinned certificate file must be an absolute path, not “%s”"),
                   self->pinned_certificate_file);
    }
  else if (self->pinned_certificate_pem != NULL && !pem_looks_valid (self->pinned_certificate_pem))
    {
      key = "PinnedCertificate";
      g_set_error_literal (error, HERON_ACCOUNT_ERROR, HERON_ACCOUNT_ERROR_INVALID,
                           _("The pinned certificate is not a PEM certificate (“-----BEGIN "
                             "CERTIFICATE-----” … “-----END CERTIFICATE-----”)"));
    }

  if (out_key != NULL)
    *out_key = key;
  return key == NULL;
}

gboolean
heron_account_server_validate (HeronAccountServer  *self,
                               GError             **error)
{
  g_return_val_if_fail (HERON_IS_ACCOUNT_SERVER (self), FALSE);
  g_return_val_if_fail (error == NULL || *error == NULL, FALSE);

  if (_heron_account_server_check (self, NULL, error))
    return TRUE;

  if (self->protocol == HERON_ACCOUNT_PROTOCOL_SMTP)
    g_prefix_error (error, _("SMTP server: "));
  else
    g_prefix_error (error, _("IMAP server: "));
  return FALSE;
}
