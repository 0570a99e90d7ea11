/* heron-smtp-error.c: the extended error domain of SMTP submission
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include "heron-smtp-private.h"

typedef struct {
  HeronSmtpReply *reply;
  HeronSmtpSendResult *result;
  GTlsCertificate *certificate;
  GTlsCertificateFlags certificate_errors;
} HeronSmtpErrorPrivate;

static void
heron_smtp_error_private_init (HeronSmtpErrorPrivate *priv)
{
}

static void
heron_smtp_error_private_copy (const HeronSmtpErrorPrivate *src,
                               HeronSmtpErrorPrivate       *dest)
{
  dest->reply = src->reply != NULL ? heron_smtp_reply_ref (src->reply) : NULL;
  dest->result = src->result != NULL ? heron_smtp_send_result_ref (src->result) : NULL;
  dest->certificate = src->certificate != NULL ? g_object_ref (src->certificate) : NULL;
  dest->certificate_errors = src->certificate_errors;
}

static void
heron_smtp_error_private_clear (HeronSmtpErrorPrivate *priv)
{
  g_clear_pointer (&priv->reply, heron_smtp_reply_unref);
  g_clear_pointer (&priv->result, heron_smtp_send_result_unref);
  g_clear_object (&priv->certificate);
}

G_DEFINE_EXTENDED_ERROR (HeronSmtpError, heron_smtp_error)

static HeronSmtpErrorPrivate *
get_private (const GError *error)
{
  if (error == NULL || error->domain != HERON_SMTP_ERROR)
    return NULL;
  return heron_smtp_error_get_private (error);
}

GError *
_heron_smtp_error_new_reply (gint            code,
                             HeronSmtpReply *reply,
                             const char     *format,
                             ...)
{
  g_autofree char *message = NULL;
  va_list args;
  GError *error;

  va_start (args, format);
  message = g_strdup_vprintf (format, args);
  va_end (args);

  error = g_error_new_literal (HERON_SMTP_ERROR, code, message);
  _heron_smtp_error_set_reply (error, reply);
  return error;
}

void
_heron_smtp_error_set_reply (GError         *error,
                             HeronSmtpReply *reply)
{
  HeronSmtpErrorPrivate *priv = get_private (error);

  g_return_if_fail (priv != NULL);

  if (reply != NULL)
    heron_smtp_reply_ref (reply);
  g_clear_pointer (&priv->reply, heron_smtp_reply_unref);
  priv->reply = reply;
}

void
_heron_smtp_error_set_result (GError              *error,
                              HeronSmtpSendResult *result)
{
  HeronSmtpErrorPrivate *priv = get_private (error);

  g_return_if_fail (priv != NULL);

  if (result != NULL)
    heron_smtp_send_result_ref (result);
  g_clear_pointer (&priv->result, heron_smtp_send_result_unref);
  priv->result = result;
}

void
_heron_smtp_error_set_certificate (GError               *error,
                                   GTlsCertificate      *certificate,
                                   GTlsCertificateFlags  errors)
{
  HeronSmtpErrorPrivate *priv = get_private (error);

  g_return_if_fail (priv != NULL);

  g_set_object (&priv->certificate, certificate);
  priv->certificate_errors = errors;
}

HeronSmtpReply *
heron_smtp_error_get_reply (const GError *error)
{
  HeronSmtpErrorPrivate *priv = get_private (error);

  return priv != NULL ? priv->reply : NULL;
}

HeronSmtpSendResult *
heron_smtp_error_get_result (const GError *error)
{
  HeronSmtpErrorPrivate *priv = get_private (error);

  return priv != NULL ? priv->result : NULL;
}

GTlsCertificate *
heron_smtp_error_get_peer_certificate (const GError *error)
{
  HeronSmtpErrorPrivate *priv = get_private (error);

  return priv != NULL ? priv->certificate : NULL;
}

GTlsCertificateFlags
heron_smtp_error_get_certificate_errors (const GError *error)
{
  HeronSmtpErrorPrivate *priv = get_private (error);

  return priv != NULL ? priv->certificate_errors : 0;
}

gboolean
heron_smtp_error_is_transient (const GError *error)
{
  HeronSmtpErrorPrivate *priv;

  g_return_val_if_fail (error != NULL, FALSE);

  if (error->domain == G_IO_ERROR)
    return error->code != G_IO_ERROR_CANCELLED &&
           error->code != G_IO_ERROR_INVALID_ARGUMENT &&
           error->code != G_IO_ERROR_NOT_SUPPORTED;
  if (error->domain == G_TLS_ERROR)
    return error->code == G_TLS_ERROR_EOF;
  if (error->domain == G_RESOLVER_ERROR)
    return error->code == G_RESOLVER_ERROR_TEMPORARY_FAILURE;
  if (error->domain != HERON_SMTP_ERROR)
    return FALSE;

  switch ((HeronSmtpError) error->code)
    {
    case HERON_SMTP_ERROR_CLOSED:
      return TRUE;

    case HERON_SMTP_ERROR_SERVICE_UNAVAILABLE:
      /* 421, yes; a greeting of 554, no. */
      priv = get_private (error);
      return priv->reply == NULL || heron_smtp_reply_is_transient (priv->reply);

    case HERON_SMTP_ERROR_RECIPIENTS_REJECTED:
      priv = get_private (error);
      if (priv->result == NULL)
        return FALSE;
      for (guint i = 0; i < heron_smtp_send_result_get_n_recipients (priv->result); i++)
        {
          HeronSmtpReply *reply = heron_smtp_send_result_get_recipient_reply (priv->result, i);

          if (reply == NULL || !heron_smtp_reply_is_transient (reply))
            return FALSE;
        }
      return TRUE;

    case HERON_SMTP_ERROR_UNCONFIRMED:
    case HERON_SMTP_ERROR_CERTIFICATE:
    case HERON_SMTP_ERROR_INVALID:
    case HERON_SMTP_ERROR_UNSUPPORTED:
    case HERON_SMTP_ERROR_PROTOCOL:
    case HERON_SMTP_ERROR_LIMIT:
    case HERON_SMTP_ERROR_TLS:
      return FALSE;

    case HERON_SMTP_ERROR_FAILED:
    case HERON_SMTP_ERROR_AUTH:
    case HERON_SMTP_ERROR_REFUSED:
    case HERON_SMTP_ERROR_MESSAGE_TOO_LARGE:
    case HERON_SMTP_ERROR_SENDER_REJECTED:
    case HERON_SMTP_ERROR_MESSAGE_REJECTED:
    default:
      priv = get_private (error);
      return priv->reply != NULL && heron_smtp_reply_is_transient (priv->reply);
    }
}
