/* heron-tls.c: certificate decisions, pinning and fingerprints for every protocol
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * GTlsConnection::accept-certificate is emitted only for a certificate that does not verify. A
 * pinned certificate must be presented byte for byte, so it is checked again after a handshake
 * that verified. Everything else goes to the decision callback, or is refused; the certificate
 * and its errors are kept for the person who has to decide.
 */

#include "config.h"

#include "heron-tls.h"

struct _HeronTlsPolicy {
  char *host;
  GTlsCertificate *pinned;
  HeronTlsDecisionFunc func;
  gpointer user_data;

  GTlsConnection *tls;               /* the connection it is installed on */
  gulong accept_handler;

  HeronTlsVerdict verdict;
  GTlsCertificate *peer_certificate;
  GTlsCertificateFlags peer_errors;
  GTlsCertificate *certificate_to_pin;
};

/* For people */

char *
heron_tls_certificate_dup_fingerprint (GTlsCertificate *certificate)
{
  g_autoptr(GByteArray) der = NULL;
  g_autofree char *hex = NULL;
  GString *out;

  g_return_val_if_fail (G_IS_TLS_CERTIFICATE (certificate), NULL);

  g_object_get (certificate, "certificate", &der, NULL);
  if (der == NULL)
    return NULL;

  hex = g_compute_checksum_for_data (G_CHECKSUM_SHA256, der->data, der->len);
  out = g_string_new ("SHA-256 ");
  for (gsize i = 0; hex[i] != '\0'; i += 2)
    {
      if (i > 0)
        g_string_append_c (out, ':');
      g_string_append_c (out, g_ascii_toupper (hex[i]));
      g_string_append_c (out, g_ascii_toupper (hex[i + 1]));
    }

  return g_string_free (out, FALSE);
}

char *
heron_tls_describe_errors (GTlsCertificateFlags errors)
{
  static const struct {
    GTlsCertificateFlags flag;
    const char *text;
  } reasons[] = {
    { G_TLS_CERTIFICATE_UNKNOWN_CA, "it is not signed by a trusted authority" },
    { G_TLS_CERTIFICATE_BAD_IDENTITY, "it was issued for a different server name" },
    { G_TLS_CERTIFICATE_NOT_ACTIVATED, "it is not valid yet" },
    { G_TLS_CERTIFICATE_EXPIRED, "it has expired" },
    { G_TLS_CERTIFICATE_REVOKED, "it has been revoked" },
    { G_TLS_CERTIFICATE_INSECURE, "it uses insecure cryptography" },
    { G_TLS_CERTIFICATE_GENERIC_ERROR, "it could not be verified" },
  };
  GString *out = g_string_new (NULL);
  guint n = 0, total = 0;

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    if (errors & reasons[i].flag)
      total++;

  for (guint i = 0; i < G_N_ELEMENTS (reasons); i++)
    {
      if (!(errors & reasons[i].flag))
        continue;
      if (n > 0)
        g_string_append (out, n + 1 == total ? (total > 2 ? ", and " : " and ") : ", ");
      g_string_append (out, reasons[i].text);
      n++;
    }

  if (n == 0)
    g_string_append (out, "it could not be verified");

  return g_string_free (out, FALSE);
}

/* The policy */

HeronTlsPolicy *
heron_tls_policy_new (const char           *host,
                      GTlsCertificate      *pinned,
                      HeronTlsDecisionFunc  func,
                      gpointer              user_data)
{
  HeronTlsPolicy *policy;

  g_return_val_if_fail (host != NULL, NULL);
  g_return_val_if_fail (pinned == NULL || G_IS_TLS_CERTIFICATE (pinned), NULL);

  policy = g_new0 (HeronTlsPolicy, 1);
  policy->host = g_strdup (host);
  policy->pinned = pinned != NULL ? g_object_ref (pinned) : NULL;
  policy->func = func;
  policy->user_data = user_data;

  return policy;
}

void
heron_tls_policy_free (HeronTlsPolicy *policy)
{
  if (policy == NULL)
    return;

  if (policy->tls != NULL)
    {
      g_clear_signal_handler (&policy->accept_handler, policy->tls);
      g_clear_object (&policy->tls);
    }
  g_clear_object (&policy->pinned);
  g_clear_object (&policy->peer_certificate);
  g_clear_object (&policy->certificate_to_pin);
  g_free (policy->host);
  g_free (policy);
}

static gboolean
on_accept_certificate (GTlsConnection       *tls,
                       GTlsCertificate      *certificate,
                       GTlsCertificateFlags  errors,
                       gpointer              user_data)
{
  HeronTlsPolicy *policy = user_data;
  HeronTlsDecision decision;

  g_set_object (&policy->peer_certificate, certificate);
  policy->peer_errors = errors;

  if (policy->pinned != NULL)
    {
      if (g_tls_certificate_is_same (certificate, policy->pinned))
        {
          policy->verdict = HERON_TLS_VERDICT_ACCEPTED;
          return TRUE;
        }
      policy->verdict = HERON_TLS_VERDICT_CHANGED;
      return FALSE;
    }

  if (policy->func == NULL)
    {
      policy->verdict = HERON_TLS_VERDICT_UNTRUSTED;
      return FALSE;
    }

  decision = policy->func (certificate, errors, policy->host, policy->user_data);
  switch (decision)
    {
    case HERON_TLS_DECISION_ACCEPT_AND_PIN:
      g_set_object (&policy->certificate_to_pin, certificate);
      policy->verdict = HERON_TLS_VERDICT_ACCEPTED;
      return TRUE;

    case HERON_TLS_DECISION_ACCEPT_ONCE:
      policy->verdict = HERON_TLS_VERDICT_ACCEPTED;
      return TRUE;

    case HERON_TLS_DECISION_REJECT:
    default:
      policy->verdict = HERON_TLS_VERDICT_REJECTED;
      return FALSE;
    }
}

GTlsClientConnection *
heron_tls_policy_wrap (HeronTlsPolicy  *policy,
                       GIOStream       *base,
                       guint16          port,
                       GTlsDatabase    *database,
                       GError         **error)
{
  g_autoptr(GSocketConnectable) identity = NULL;
  GIOStream *tls;

  g_return_val_if_fail (policy != NULL, NULL);
  g_return_val_if_fail (G_IS_IO_STREAM (base), NULL);
  g_return_val_if_fail (policy->tls == NULL, NULL);

  identity = g_network_address_new (policy->host, port);
  tls = g_tls_client_connection_new (base, identity, error);
  if (tls == NULL)
    return NULL;

  if (database != NULL)
    g_tls_connection_set_database (G_TLS_CONNECTION (tls), database);

  policy->tls = G_TLS_CONNECTION (g_object_ref (tls));
  policy->accept_handler = g_signal_connect (tls, "accept-certificate",
                                             G_CALLBACK (on_accept_certificate), policy);

  return G_TLS_CLIENT_CONNECTION (tls);
}

static gboolean
refused (HeronTlsVerdict verdict)
{
  return verdict == HERON_TLS_VERDICT_UNTRUSTED ||
         verdict == HERON_TLS_VERDICT_REJECTED ||
         verdict == HERON_TLS_VERDICT_CHANGED;
}

static void
set_certificate_error (HeronTlsPolicy  *policy,
                       GQuark           domain,
                       gint             code,
                       GError         **error)
{
  g_autofree char *reasons = heron_tls_describe_errors (policy->peer_errors);

  switch (policy->verdict)
    {
    case HERON_TLS_VERDICT_CHANGED:
      g_set_error (error, domain, code,
                   "The server's certificate changed: %s presented a certificate that is not the "
                   "one accepted before", policy->host);
      break;

    case HERON_TLS_VERDICT_REJECTED:
      g_set_error (error, domain, code, "The certificate of %s was rejected: %s",
                   policy->host, reasons);
      break;

    case HERON_TLS_VERDICT_UNTRUSTED:
    case HERON_TLS_VERDICT_NONE:
    case HERON_TLS_VERDICT_ACCEPTED:
    default:
      g_set_error (error, domain, code, "The certificate of %s is not trusted: %s",
                   policy->host, reasons);
      break;
    }
}

gboolean
heron_tls_policy_check_handshake (HeronTlsPolicy  *policy,
                                  gboolean         handshake_ok,
                                  const GError    *handshake_error,
                                  GQuark           domain,
                                  gint             tls_code,
                                  gint             certificate_code,
                                  GError         **error)
{
  g_return_val_if_fail (policy != NULL, FALSE);
  g_return_val_if_fail (policy->tls != NULL, FALSE);

  if (!handshake_ok)
    {
      if (refused (policy->verdict))
        set_certificate_error (policy, domain, certificate_code, error);
      else
        g_set_error (error, domain, tls_code, "The TLS handshake with %s failed: %s",
                     policy->host,
                     handshake_error != NULL ? handshake_error->message : "unknown error");
      return FALSE;
    }

  g_set_object (&policy->peer_certificate, g_tls_connection_get_peer_certificate (policy->tls));
  if (policy->verdict == HERON_TLS_VERDICT_NONE)
    policy->peer_errors = 0;

  /* A pinned certificate is the only one accepted, even one that verifies. */
  if (policy->pinned != NULL)
    {
      if (policy->peer_certificate == NULL ||
          !g_tls_certificate_is_same (policy->peer_certificate, policy->pinned))
        {
          policy->verdict = HERON_TLS_VERDICT_CHANGED;
          set_certificate_error (policy, domain, certificate_code, error);
          return FALSE;
        }
      policy->verdict = HERON_TLS_VERDICT_ACCEPTED;
    }

  return TRUE;
}

HeronTlsVerdict
heron_tls_policy_get_verdict (HeronTlsPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, HERON_TLS_VERDICT_NONE);

  return policy->verdict;
}

GTlsCertificate *
heron_tls_policy_get_peer_certificate (HeronTlsPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, NULL);

  return policy->peer_certificate;
}

GTlsCertificateFlags
heron_tls_policy_get_peer_errors (HeronTlsPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, 0);

  return policy->peer_errors;
}

GTlsCertificate *
heron_tls_policy_get_certificate_to_pin (HeronTlsPolicy *policy)
{
  g_return_val_if_fail (policy != NULL, NULL);

  return policy->certificate_to_pin;
}
