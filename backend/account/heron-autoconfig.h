/* heron-autoconfig.h: proposing an account's settings from its e-mail address
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-autoconfig-result.h"

G_BEGIN_DECLS

typedef enum {
  HERON_AUTOCONFIG_METHOD_ISP   = 1 << 0, /* the provider's autoconfig document over HTTPS */
  HERON_AUTOCONFIG_METHOD_SRV   = 1 << 1, /* DNS SRV records, RFC 6186 */
  HERON_AUTOCONFIG_METHOD_PROBE = 1 << 2, /* connecting to common host names and ports */
  HERON_AUTOCONFIG_METHOD_ALL   = 0x7,
} HeronAutoconfigMethods;

#define HERON_TYPE_AUTOCONFIG_METHODS (heron_autoconfig_methods_get_type ())
GType heron_autoconfig_methods_get_type (void) G_GNUC_CONST;

/* The default places of the provider's document, tried in order. The placeholders %EMAILDOMAIN%
 * (the domain, in ASCII form), %EMAILADDRESS% and %EMAILLOCALPART% (percent-encoded) are
 * replaced. Only https: URLs are fetched, and a redirect to anything else is refused. */
#define HERON_AUTOCONFIG_URL_SUBDOMAIN \
  "https://autoconfig.%EMAILDOMAIN%/mail/config-v1.1.xml?emailaddress=%EMAILADDRESS%"
#define HERON_AUTOCONFIG_URL_WELL_KNOWN \
  "https://%EMAILDOMAIN%/.well-known/autoconfig/mail/config-v1.1.xml?emailaddress=%EMAILADDRESS%"

#define HERON_TYPE_AUTOCONFIG (heron_autoconfig_get_type ())

G_DECLARE_FINAL_TYPE (HeronAutoconfig, heron_autoconfig, HERON, AUTOCONFIG, GObject)

/* Finds the servers of an address: the provider's document first, then DNS SRV records for
 * what it did not give, then probing for what is still missing. Every step is asynchronous and
 * follows the GCancellable. Host names are resolved with the default GResolver
 * (g_resolver_set_default() replaces it, as the tests do).
 *
 * Properties (all settable, for tests and for special setups):
 *   url-templates (GStrv)          the document's addresses, HERON_AUTOCONFIG_URL_* by default
 *   tls-database (GTlsDatabase)    trust for HTTPS and probes; NULL: the system's
 *   methods (HeronAutoconfigMethods)
 *   imap-tls-port, imap-starttls-port, smtp-tls-port, smtp-starttls-port   993, 143, 465, 587
 *   probe-timeout (ms, 4000)       for every probe at once
 *   http-timeout (s, 15)           for each document request */

HeronAutoconfig       *heron_autoconfig_new              (void);

void                   heron_autoconfig_set_url_templates (HeronAutoconfig    *self,
                                                           const char * const *templates);
void                   heron_autoconfig_set_tls_database (HeronAutoconfig *self,
                                                          GTlsDatabase    *database);
void                   heron_autoconfig_set_methods      (HeronAutoconfig        *self,
                                                          HeronAutoconfigMethods  methods);
void                   heron_autoconfig_set_probe_ports  (HeronAutoconfig *self,
                                                          guint16          imap_tls_port,
                                                          guint16          imap_starttls_port,
                                                          guint16          smtp_tls_port,
                                                          guint16          smtp_starttls_port);
void                   heron_autoconfig_set_probe_timeout (HeronAutoconfig *self,
                                                           guint            timeout_ms);

/* real_name (nullable) becomes the identity's name. Errors: HERON_ACCOUNT_ERROR_BAD_ADDRESS,
 * HERON_ACCOUNT_ERROR_AUTOCONFIG_NOT_FOUND (no method found either server; the message lists
 * what was tried), G_IO_ERROR_CANCELLED. A result may still lack one of the two servers: its
 * source is then HERON_AUTOCONFIG_SOURCE_NONE. */
void                   heron_autoconfig_discover_async   (HeronAutoconfig     *self,
                                                          const char          *address,
                                                          const char          *real_name,
                                                          GCancellable        *cancellable,
                                                          GAsyncReadyCallback  callback,
                                                          gpointer             user_data);
HeronAutoconfigResult *heron_autoconfig_discover_finish  (HeronAutoconfig  *self,
                                                          GAsyncResult     *result,
                                                          GError          **error);

G_END_DECLS
