/* heron-smtp-result.c: the per-recipient outcome of a send
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#include "config.h"

#include <string.h>

#include "heron-smtp-private.h"

typedef struct {
  char *address;
  HeronSmtpReply *reply;
} Recipient;

struct _HeronSmtpSendResult {
  gatomicrefcount ref;
  GArray *recipients;      /* Recipient */
  HeronSmtpReply *queue_reply;
};

G_DEFINE_BOXED_TYPE (HeronSmtpSendResult, heron_smtp_send_result,
                     heron_smtp_send_result_ref, heron_smtp_send_result_unref)

static void
recipient_clear (gpointer data)
{
  Recipient *recipient = data;

  g_free (recipient->address);
  g_clear_pointer (&recipient->reply, heron_smtp_reply_unref);
}

HeronSmtpSendResult *
_heron_smtp_send_result_new (const char * const *recipients)
{
  HeronSmtpSendResult *result = g_new0 (HeronSmtpSendResult, 1);

  g_atomic_ref_count_init (&result->ref);
  result->recipients = g_array_new (FALSE, TRUE, sizeof (Recipient));
  g_array_set_clear_func (result->recipients, recipient_clear);
  for (guint i = 0; recipients != NULL && recipients[i] != NULL; i++)
    {
      Recipient recipient = { g_strdup (recipients[i]), NULL };

      g_array_append_val (result->recipients, recipient);
    }

  return result;
}

void
_heron_smtp_send_result_set_recipient_reply (HeronSmtpSendResult *result,
                                             guint                index,
                                             HeronSmtpReply      *reply)
{
  Recipient *recipient;

  g_return_if_fail (result != NULL);
  g_return_if_fail (index < result->recipients->len);

  recipient = &g_array_index (result->recipients, Recipient, index);
  if (reply != NULL)
    heron_smtp_reply_ref (reply);
  g_clear_pointer (&recipient->reply, heron_smtp_reply_unref);
  recipient->reply = reply;
}

void
_heron_smtp_send_result_set_queue_reply (HeronSmtpSendResult *result,
                                         HeronSmtpReply      *reply)
{
  g_return_if_fail (result != NULL);

  if (reply != NULL)
    heron_smtp_reply_ref (reply);
  g_clear_pointer (&result->queue_reply, heron_smtp_reply_unref);
  result->queue_reply = reply;
}

HeronSmtpSendResult *
heron_smtp_send_result_ref (HeronSmtpSendResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  g_atomic_ref_count_inc (&result->ref);
  return result;
}

void
heron_smtp_send_result_unref (HeronSmtpSendResult *result)
{
  g_return_if_fail (result != NULL);

  if (!g_atomic_ref_count_dec (&result->ref))
    return;

  g_array_unref (result->recipients);
  g_clear_pointer (&result->queue_reply, heron_smtp_reply_unref);
  g_free (result);
}

guint
heron_smtp_send_result_get_n_recipients (HeronSmtpSendResult *result)
{
  g_return_val_if_fail (result != NULL, 0);

  return result->recipients->len;
}

const char *
heron_smtp_send_result_get_recipient (HeronSmtpSendResult *result,
                                      guint                index)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (index < result->recipients->len, NULL);

  return g_array_index (result->recipients, Recipient, index).address;
}

static gboolean
accepted (const Recipient *recipient)
{
  return recipient->reply != NULL && heron_smtp_reply_is_success (recipient->reply);
}

gboolean
heron_smtp_send_result_is_accepted (HeronSmtpSendResult *result,
                                    guint                index)
{
  g_return_val_if_fail (result != NULL, FALSE);
  g_return_val_if_fail (index < result->recipients->len, FALSE);

  return accepted (&g_array_index (result->recipients, Recipient, index));
}

HeronSmtpReply *
heron_smtp_send_result_get_recipient_reply (HeronSmtpSendResult *result,
                                            guint                index)
{
  g_return_val_if_fail (result != NULL, NULL);
  g_return_val_if_fail (index < result->recipients->len, NULL);

  return g_array_index (result->recipients, Recipient, index).reply;
}

guint
heron_smtp_send_result_get_n_accepted (HeronSmtpSendResult *result)
{
  guint n = 0;

  g_return_val_if_fail (result != NULL, 0);

  for (guint i = 0; i < result->recipients->len; i++)
    if (accepted (&g_array_index (result->recipients, Recipient, i)))
      n++;

  return n;
}

HeronSmtpReply *
heron_smtp_send_result_get_queue_reply (HeronSmtpSendResult *result)
{
  g_return_val_if_fail (result != NULL, NULL);

  return result->queue_reply;
}

/* The word after marker in text (up to a space, ",", ";" or ")"), or NULL. */
static char *
word_after (const char *text,
            const char *marker)
{
  const char *start = strstr (text, marker);
  const char *end;

  if (start == NULL)
    return NULL;
  start += strlen (marker);
  while (*start == ' ')
    start++;
  end = start;
  while (*end != '\0' && !g_ascii_isspace (*end) && *end != ',' && *end != ';' && *end != ')')
    end++;
  if (end == start)
    return NULL;

  return g_strndup (start, end - start);
}

char *
heron_smtp_send_result_dup_queue_id (HeronSmtpSendResult *result)
{
  const char *text;
  char *id;

  g_return_val_if_fail (result != NULL, NULL);

  if (result->queue_reply == NULL)
    return NULL;

  text = heron_smtp_reply_get_text (result->queue_reply);
  id = word_after (text, "queued as ");
  if (id == NULL)
    id = word_after (text, "id=");

  return id;
}

char *
heron_smtp_send_result_dup_rejections (HeronSmtpSendResult *result)
{
  GString *out = NULL;

  g_return_val_if_fail (result != NULL, NULL);

  for (guint i = 0; i < result->recipients->len; i++)
    {
      Recipient *recipient = &g_array_index (result->recipients, Recipient, i);
      g_autofree char *reply = NULL;

      if (accepted (recipient))
        continue;

      if (out == NULL)
        out = g_string_new (NULL);
      else
        g_string_append_c (out, '\n');

      if (recipient->reply == NULL)
        {
          g_string_append_printf (out, "%s was not sent to", recipient->address);
          continue;
        }
      reply = heron_smtp_reply_to_string (recipient->reply);
      g_string_append_printf (out, "%s was refused: %s", recipient->address, reply);
    }

  return out != NULL ? g_string_free (out, FALSE) : NULL;
}
