/* heron-autoconfig-private.h: the parts of autoconfiguration, for heron-autoconfig.c and tests
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-account-server.h"
#include "heron-autoconfig-result.h"

G_BEGIN_DECLS

/* heron-autoconfig-result.c: building a result. A server is copied into the config. */
HeronAutoconfigResult *_heron_autoconfig_result_new          (const char            *address,
                                                              const char            *real_name);
gboolean               _heron_autoconfig_result_has_server   (HeronAutoconfigResult *self,
                                                              HeronAccountProtocol   protocol);
void                   _heron_autoconfig_result_set_server   (HeronAutoconfigResult *self,
                                                              HeronAccountServer    *server,
                                                              HeronAutoconfigSource  source);
void                   _heron_autoconfig_result_set_source_url (HeronAutoconfigResult *self,
                                                                const char            *url,
                                                                const char            *provider_name);
void                   _heron_autoconfig_result_set_certificate (HeronAutoconfigResult      *self,
                                                                 HeronAccountProtocol        protocol,
                                                                 HeronAutoconfigCertificate  status,
                                                                 GTlsCertificate            *certificate,
                                                                 GTlsCertificateFlags        errors);
void                   _heron_autoconfig_result_log          (HeronAutoconfigResult *self,
                                                              const char            *format,
                                                              ...) G_GNUC_PRINTF (2, 3);

/* Splits "local@domain"; the domain comes back in ASCII (IDNA) form, lower case. */
gboolean               _heron_autoconfig_split_address       (const char  *address,
                                                              char       **out_local_part,
                                                              char       **out_domain,
                                                              GError     **error);
/* Replaces %EMAILADDRESS%, %EMAILLOCALPART% and %EMAILDOMAIN%; with escape_for_uri, the values
 * are percent-encoded for a URI query. */
char                  *_heron_autoconfig_expand              (const char *text,
                                                              const char *address,
                                                              gboolean    escape_for_uri);

/* heron-autoconfig-xml.c: a Mozilla autoconfig document (clientConfig version 1.1). Returns the
 * first usable IMAP incomingServer and SMTP outgoingServer (either may be NULL), and a note for
 * each server it skipped; an error when the text is not such a document. */
typedef struct {
  char               *provider_name;
  HeronAccountServer *imap;
  HeronAccountServer *smtp;
  GPtrArray          *notes; /* of char* */
} HeronAutoconfigDocument;

gboolean               _heron_autoconfig_parse_document      (const char              *data,
                                                              gsize                    length,
                                                              const char              *address,
                                                              HeronAutoconfigDocument *out_document,
                                                              GError                 **error);
void                   _heron_autoconfig_document_clear      (HeronAutoconfigDocument *document);

/* heron-autoconfig-srv.c: RFC 6186 SRV records through the default GResolver, for the servers
 * the result still lacks. Never fails except when cancelled; what it found is in the result. */
void                   _heron_autoconfig_srv_async           (HeronAutoconfigResult *result,
                                                              const char            *domain,
                                                              GCancellable          *cancellable,
                                                              GAsyncReadyCallback    callback,
                                                              gpointer               user_data);
gboolean               _heron_autoconfig_srv_finish          (GAsyncResult          *res,
                                                              GError               **error);

/* heron-autoconfig-probe.c: connects to common host names on the standard ports, concurrently,
 * for the servers the result still lacks. */
typedef struct {
  guint16       imap_tls_port;
  guint16       imap_starttls_port;
  guint16       smtp_tls_port;
  guint16       smtp_starttls_port;
  guint         timeout_ms;
  GTlsDatabase *tls_database; /* nullable: the system's */
} HeronAutoconfigProbeOptions;

void                   _heron_autoconfig_probe_async         (HeronAutoconfigResult             *result,
                                                              const char                        *domain,
                                                              const HeronAutoconfigProbeOptions *options,
                                                              GCancellable                      *cancellable,
                                                              GAsyncReadyCallback                callback,
                                                              gpointer                           user_data);
gboolean               _heron_autoconfig_probe_finish        (GAsyncResult          *res,
                                                              GError               **error);

G_END_DECLS
