/* heron-autoconfig-result.h: a proposed account, and where its settings came from
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

#include "heron-account-config.h"

G_BEGIN_DECLS

/* Where the settings of one server came from. */
typedef enum {
  HERON_AUTOCONFIG_SOURCE_NONE,  /* nothing found: the person fills it in */
  HERON_AUTOCONFIG_SOURCE_ISP,   /* the provider's autoconfig document (config-v1.1.xml, HTTPS) */
  HERON_AUTOCONFIG_SOURCE_SRV,   /* DNS SRV records (RFC 6186), unauthenticated: confirm them */
  HERON_AUTOCONFIG_SOURCE_PROBE, /* a server that answered on a common host name and port */
  HERON_AUTOCONFIG_SOURCE_GOA,   /* a GNOME Online Accounts account */
} HeronAutoconfigSource;

/* What is known of the server's certificate. Only probing connects, so only a probed implicit-TLS
 * server has VERIFIED or NOT_VERIFIED; the connection itself checks it again in any case. */
typedef enum {
  HERON_AUTOCONFIG_CERTIFICATE_UNKNOWN,
  HERON_AUTOCONFIG_CERTIFICATE_VERIFIED,     /* trusted, and for this host name */
  HERON_AUTOCONFIG_CERTIFICATE_NOT_VERIFIED, /* see get_certificate_errors() */
} HeronAutoconfigCertificate;

#define HERON_TYPE_AUTOCONFIG_SOURCE      (heron_autoconfig_source_get_type ())
#define HERON_TYPE_AUTOCONFIG_CERTIFICATE (heron_autoconfig_certificate_get_type ())
GType heron_autoconfig_source_get_type      (void) G_GNUC_CONST;
GType heron_autoconfig_certificate_get_type (void) G_GNUC_CONST;

#define HERON_TYPE_AUTOCONFIG_RESULT (heron_autoconfig_result_get_type ())

G_DECLARE_FINAL_TYPE (HeronAutoconfigResult, heron_autoconfig_result, HERON, AUTOCONFIG_RESULT, GObject)

/* The proposal: a HeronAccountConfig without an id, for the person to confirm and edit (every
 * field) before heron_account_config_store_add(). A server whose source is NONE is left empty. */
HeronAccountConfig         *heron_autoconfig_result_get_config             (HeronAutoconfigResult *self);
HeronAutoconfigSource       heron_autoconfig_result_get_source             (HeronAutoconfigResult *self,
                                                                            HeronAccountProtocol   protocol);
/* The address of the autoconfig document used, when a server's source is ISP. */
const char                 *heron_autoconfig_result_get_source_url         (HeronAutoconfigResult *self);
/* The provider's name from the document ("Example Mail"), or NULL. */
const char                 *heron_autoconfig_result_get_provider_name      (HeronAutoconfigResult *self);

HeronAutoconfigCertificate  heron_autoconfig_result_get_certificate_status (HeronAutoconfigResult *self,
                                                                            HeronAccountProtocol   protocol);
/* The certificate a probed TLS server presented (to show, and to pin if the person accepts it). */
GTlsCertificate            *heron_autoconfig_result_get_certificate        (HeronAutoconfigResult *self,
                                                                            HeronAccountProtocol   protocol);
GTlsCertificateFlags        heron_autoconfig_result_get_certificate_errors (HeronAutoconfigResult *self,
                                                                            HeronAccountProtocol   protocol);

/* What was tried and why it did not count, one sentence each, in order (for a "details" view). */
const char * const         *heron_autoconfig_result_get_log                (HeronAutoconfigResult *self);

G_END_DECLS
