/* heron-imap-sasl.h: the client side of the SASL mechanisms IMAP logs in with, and the token
 * provider OAuth mechanisms get their access tokens from
 *
 * Mechanisms: PLAIN (RFC 4616), LOGIN (the old "Username:"/"Password:" exchange many servers still
 * offer), XOAUTH2 (Google's and Microsoft's), OAUTHBEARER (RFC 7628). The LOGIN command of IMAP
 * itself is not SASL; HeronImapSession sends it when chosen.
 *
 * Secrets (password, token) are kept only as long as the exchange and wiped when it is freed;
 * responses are returned as raw bytes for heron_imap_command_new_sasl_response(), which encodes
 * them and redacts them in logs.
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gio/gio.h>

G_BEGIN_DECLS

typedef enum {
  HERON_IMAP_AUTH_AUTO,          /* OAuth when a token provider is given (OAUTHBEARER, then XOAUTH2),
                                  * else PLAIN, the LOGIN command, SASL LOGIN, as offered */
  HERON_IMAP_AUTH_LOGIN_COMMAND, /* IMAP's LOGIN command (not when LOGINDISABLED) */
  HERON_IMAP_AUTH_PLAIN,         /* AUTHENTICATE PLAIN */
  HERON_IMAP_AUTH_LOGIN,         /* AUTHENTICATE LOGIN */
  HERON_IMAP_AUTH_XOAUTH2,       /* AUTHENTICATE XOAUTH2 */
  HERON_IMAP_AUTH_OAUTHBEARER,   /* AUTHENTICATE OAUTHBEARER */
} HeronImapAuthMechanism;

/* The SASL name ("PLAIN"), or NULL for AUTO and the LOGIN command. */
const char *heron_imap_auth_mechanism_to_sasl_name (HeronImapAuthMechanism mechanism);

/* Where OAuth mechanisms get access tokens. backend/imap does not know accounts: the sync layer
 * adapts the account's OAuth2 provider to this interface. */
#define HERON_IMAP_TYPE_TOKEN_PROVIDER (heron_imap_token_provider_get_type ())

G_DECLARE_INTERFACE (HeronImapTokenProvider, heron_imap_token_provider, HERON_IMAP, TOKEN_PROVIDER, GObject)

struct _HeronImapTokenProviderInterface {
  GTypeInterface parent_iface;

  /* An access token for user. refresh: the last one was refused, get a new one rather than a
   * cached one. */
  void   (*get_token_async)  (HeronImapTokenProvider  *self,
                              const char              *user,
                              gboolean                 refresh,
                              GCancellable            *cancellable,
                              GAsyncReadyCallback      callback,
                              gpointer                 user_data);
  char * (*get_token_finish) (HeronImapTokenProvider  *self,
                              GAsyncResult            *result,
                              GError                 **error);
};

void  heron_imap_token_provider_get_token_async  (HeronImapTokenProvider  *self,
                                                  const char              *user,
                                                  gboolean                 refresh,
                                                  GCancellable            *cancellable,
                                                  GAsyncReadyCallback      callback,
                                                  gpointer                 user_data);
char *heron_imap_token_provider_get_token_finish (HeronImapTokenProvider  *self,
                                                  GAsyncResult            *result,
                                                  GError                 **error);

/* One exchange of one mechanism (not AUTO, not the LOGIN command). */
typedef struct _HeronImapSasl HeronImapSasl;

/* secret is the password (PLAIN, LOGIN) or the access token (XOAUTH2, OAUTHBEARER); host and port
 * go into OAUTHBEARER's message. */
HeronImapSasl *heron_imap_sasl_new              (HeronImapAuthMechanism  mechanism,
                                                 const char             *user,
                                                 const char             *secret,
                                                 const char             *host,
                                                 guint16                 port);
void           heron_imap_sasl_free             (HeronImapSasl          *sasl);

const char    *heron_imap_sasl_get_name         (HeronImapSasl          *sasl);

/* The initial response (raw), or NULL when the mechanism has none (LOGIN). */
GBytes        *heron_imap_sasl_get_initial_response (HeronImapSasl      *sasl);

/* The answer (raw) to a server challenge (base64, as after "+ "). Fails with HERON_IMAP_ERROR_AUTH
 * for a challenge the mechanism cannot answer; the caller then cancels the exchange ("*"). For
 * XOAUTH2 and OAUTHBEARER a challenge is the server's error report: the answer is the dummy the
 * mechanism prescribes, and heron_imap_sasl_get_server_error() has the report. */
GBytes        *heron_imap_sasl_step             (HeronImapSasl          *sasl,
                                                 const char             *challenge,
                                                 GError                **error);

/* What an OAuth server reported in its error challenge ("invalid_token", the JSON status), or
 * NULL. */
const char    *heron_imap_sasl_get_server_error (HeronImapSasl          *sasl);

G_DEFINE_AUTOPTR_CLEANUP_FUNC (HeronImapSasl, heron_imap_sasl_free)

G_END_DECLS
