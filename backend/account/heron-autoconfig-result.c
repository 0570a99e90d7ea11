/* heron-autoconfig-result.c: a proposed account, and where its settings came from
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-autoconfig-private.h"
#include "heron-autoconfig-result.h"

G_DEFINE_ENUM_TYPE (HeronAutoconfigSource, heron_autoconfig_source,
  G_DEFINE_ENUM_VALUE (HERON_AUTOCONFIG_SOURCE_NONE, "none"),
  G_DEFINE_ENUM_VALUE (HERON_AUTOCONFIG_SOURCE_ISP, "isp"),
  G_DEFINE_ENUM_VALUE (HERON_AUTOCONFIG_SOURCE_SRV, "srv"),
  G_DEFINE_ENUM_VALUE (HERON_AUTOCONFIG_SOURCE_PROBE, "probe"),
  G_DEFINE_ENUM_VALUE (HERON_AUTOCONFIG_SOURCE_GOA, "goa"))

G_DEFINE_ENUM_TYPE (HeronAutoconfigCertificate, heron_autoconfig_certificate,
  G_DEFINE_ENUM_VALUE (HERON_AUTOCONFIG_CERTIFICATE_UNKNOWN, "unknown"),
  G_DEFINE_ENUM_VALUE (HERON_AUTOCONFIG_CERTIFICATE_VERIFIED, "verified"),
  G_DEFINE_ENUM_VALUE (HERON_AUTOCONFIG_CERTIFICATE_NOT_VERIFIED, "not-verified"))

typedef struct {
  HeronAutoconfigSource source;
  HeronAutoconfigCertificate certificate_status;
  GTlsCertificate *certificate;
  GTlsCertificateFlags certificate_errors;
} ServerInfo;

struct _HeronAutoconfigResult
{
  GObject parent_instance;

  HeronAccountConfig *config;
  ServerInfo servers[2]; /* by HeronAccountProtocol */
  char *source_url;
  char *provider_name;
  GPtrArray *log; /* of char*, NULL-terminated */
};

G_DEFINE_FINAL_TYPE (HeronAutoconfigResult, heron_autoconfig_result, G_TYPE_OBJECT)

static void
heron_autoconfig_result_finalize (GObject *object)
{
  HeronAutoconfigResult *self = HERON_AUTOCONFIG_RESULT (object);

  g_clear_object (&self->config);
  for (guint i = 0; i < G_N_ELEMENTS (self->servers); i++)
    g_clear_object (&self->servers[i].certificate);
  g_clear_pointer (&self->source_url, g_free);
  g_clear_pointer (&self->provider_name, g_free);
  g_clear_pointer (&self->log, g_ptr_array_unref);

  G_OBJECT_CLASS (heron_autoconfig_result_parent_class)->finalize (object);
}

static void
heron_autoconfig_result_class_init (HeronAutoconfigResultClass *klass)
{
  GObjectClass *object_class = G_OBJECT_CLASS (klass);

  object_class->finalize = heron_autoconfig_result_finalize;
}

static void
heron_autoconfig_result_init (HeronAutoconfigResult *self)
{
  self->config = heron_account_config_new ();
  self->log = g_ptr_array_new_null_terminated (8, g_free, TRUE);
}

HeronAutoconfigResult *
_heron_autoconfig_result_new (const char *address,
                              const char *real_name)
{
  HeronAutoconfigResult *self = g_object_new (HERON_TYPE_AUTOCONFIG_RESULT, NULL);
  g_autoptr(HeronAccountIdentity) identity = heron_account_identity_new (real_name, address);

  heron_account_config_add_identity (self->config, identity);
  heron_account_config_set_display_name (self->config, address);
  heron_account_server_set_user (heron_account_config_get_imap (self->config), address);
  heron_account_server_set_user (heron_account_config_get_smtp (self->config), address);

  return self;
}

static ServerInfo *
server_info (HeronAutoconfigResult *self,
             HeronAccountProtocol   protocol)
{
  return &self->servers[protocol == HERON_ACCOUNT_PROTOCOL_SMTP ? 1 : 0];
}

static HeronAccountServer *
config_server (HeronAutoconfigResult *self,
               HeronAccountProtocol   protocol)
{
  return protocol == HERON_ACCOUNT_PROTOCOL_SMTP
         ? heron_account_config_get_smtp (self->config)
         : heron_account_config_get_imap (self->config);
}

gboolean
_heron_autoconfig_result_has_server (HeronAutoconfigResult *self,
                                     HeronAccountProtocol   protocol)
{
  return server_info (self, protocol)->source != HERON_AUTOCONFIG_SOURCE_NONE;
}

void
_heron_autoconfig_result_set_server (HeronAutoconfigResult *self,
                                     HeronAccountServer    *server,
                                     HeronAutoconfigSource  source)
{
  HeronAccountProtocol protocol = heron_account_server_get_protocol (server);
  HeronAccountServer *target = config_server (self, protocol);

  g_object_set (target,
                "host", heron_account_server_get_host (server),
                "port", heron_account_server_get_port (server),
                "security", heron_account_server_get_security (server),
                "auth", heron_account_server_get_auth (server),
                "allow-plaintext-on-loopback",
                heron_account_server_get_allow_plaintext_on_loopback (server),
                NULL);
  if (heron_account_server_get_user (server) != NULL)
    heron_account_server_set_user (target, heron_account_server_get_user (server));
  server_info (self, protocol)->source = source;
}

void
_heron_autoconfig_result_set_source_url (HeronAutoconfigResult *self,
                                         const char            *url,
                                         const char            *provider_name)
{
  g_free (self->source_url);
  self->source_url = g_strdup (url);
  g_free (self->provider_name);
  self->provider_name = g_strdup (provider_name);
}

void
_heron_autoconfig_result_set_certificate (HeronAutoconfigResult      *self,
                                          HeronAccountProtocol        protocol,
                                          HeronAutoconfigCertificate  status,
                                          GTlsCertificate            *certificate,
                                          GTlsCertificateFlags        errors)
{
  ServerInfo *info = server_info (self, protocol);

  info->certificate_status = status;
  g_set_object (&info->certificate, certificate);
  info->certificate_errors = errors;
}

void
_heron_autoconfig_result_log (HeronAutoconfigResult *self,
                              const char            *format,
                              ...)
{
  va_list args;
  char *line;

  va_start (args, format);
  line = g_strdup_vprintf (format, args);
  va_end (args);

  g_debug ("Autoconfig: %s", line);
  g_ptr_array_add (self->log, line);
}

HeronAccountConfig *
heron_autoconfig_result_get_config (HeronAutoconfigResult *self)
{
  g_return_val_if_fail (HERON_IS_AUTOCONFIG_RESULT (self), NULL);
  return self->config;
}

HeronAutoconfigSource
heron_autoconfig_result_get_source (HeronAutoconfigResult *self,
                                    HeronAccountProtocol   protocol)
{
  g_return_val_if_fail (HERON_IS_AUTOCONFIG_RESULT (self), HERON_AUTOCONFIG_SOURCE_NONE);
  return server_info (self, protocol)->source;
}

const char *
heron_autoconfig_result_get_source_url (HeronAutoconfigResult *self)
{
  g_return_val_if_fail (HERON_IS_AUTOCONFIG_RESULT (self), NULL);
  return self->source_url;
}

const char *
heron_autoconfig_result_get_provider_name (HeronAutoconfigResult *self)
{
  g_return_val_if_fail (HERON_IS_AUTOCONFIG_RESULT (self), NULL);
  return self->provider_name;
}

HeronAutoconfigCertificate
heron_autoconfig_result_get_certificate_status (HeronAutoconfigResult *self,
                                                HeronAccountProtocol   protocol)
{
  g_return_val_if_fail (HERON_IS_AUTOCONFIG_RESULT (self), HERON_AUTOCONFIG_CERTIFICATE_UNKNOWN);
  return server_info (self, protocol)->certificate_status;
}

GTlsCertificate *
heron_autoconfig_result_get_certificate (HeronAutoconfigResult *self,
                                         HeronAccountProtocol   protocol)
{
  g_return_val_if_fail (HERON_IS_AUTOCONFIG_RESULT (self), NULL);
  return server_info (self, protocol)->certificate;
}

GTlsCertificateFlags
heron_autoconfig_result_get_certificate_errors (HeronAutoconfigResult *self,
                                                HeronAccountProtocol   protocol)
{
  g_return_val_if_fail (HERON_IS_AUTOCONFIG_RESULT (self), 0);
  return server_info (self, protocol)->certificate_errors;
}

const char * const *
heron_autoconfig_result_get_log (HeronAutoconfigResult *self)
{
  g_return_val_if_fail (HERON_IS_AUTOCONFIG_RESULT (self), NULL);
  return (const char * const *) self->log->pdata;
}
