/* heron-imap-commands.c: constructors for every command the session sends
 *
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Each constructor builds its command from the generic adders of heron-imap-command.c and checks
 * it once at the end, so a bad argument gives one HERON_IMAP_ERROR and no command.
 */

#include "config.h"

#include <string.h>

#include "heron-imap-command-private.h"
#include "heron-imap-error.h"
#include "heron-imap-utf7.h"

/* An argument the protocol cannot carry. */
#define ARGUMENT_ERROR HERON_IMAP_ERROR_INVALID


static HeronImapCommand *
finish (HeronImapCommand  *self,
        GError           **error)
{
  if (!heron_imap_command_check (self, error))
    {
      heron_imap_command_unref (self);
      return NULL;
    }

  return self;
}

HeronImapCommand *
heron_imap_command_new_capability (void)
{
  return heron_imap_command_new ("CAPABILITY", 0);
}

HeronImapCommand *
heron_imap_command_new_noop (void)
{
  return heron_imap_command_new ("NOOP", 0);
}

HeronImapCommand *
heron_imap_command_new_logout (void)
{
  return heron_imap_command_new ("LOGOUT", 0);
}

HeronImapCommand *
heron_imap_command_new_starttls (void)
{
  return heron_imap_command_new ("STARTTLS", 0);
}

/* RFC 2342, RFC 9051 section 6.3.10 */
HeronImapCommand *
heron_imap_command_new_namespace (void)
{
  return heron_imap_command_new ("NAMESPACE", 0);
}

/* RFC 2177. The server answers with "+"; end it with heron_imap_command_new_done(). */
HeronImapCommand *
heron_imap_command_new_idle (void)
{
  return heron_imap_command_new ("IDLE", 0);
}

/* The line that ends IDLE: untagged. */
HeronImapCommand *
heron_imap_command_new_done (void)
{
  return _heron_imap_command_new_internal ("DONE", 0, FALSE);
}

HeronImapCommand *
heron_imap_command_new_check (void)
{
  return heron_imap_command_new ("CHECK", 0);
}

HeronImapCommand *
heron_imap_command_new_close (void)
{
  return heron_imap_command_new ("CLOSE", 0);
}

/* RFC 3691, RFC 9051 section 6.4.2 */
HeronImapCommand *
heron_imap_command_new_unselect (void)
{
  return heron_imap_command_new ("UNSELECT", 0);
}

HeronImapCommand *
heron_imap_command_new_expunge (void)
{
  return heron_imap_command_new ("EXPUNGE", 0);
}

/* RFC 4978 */
HeronImapCommand *
heron_imap_command_new_compress (void)
{
  HeronImapCommand *self = heron_imap_command_new ("COMPRESS", 0);

  heron_imap_command_add_atom (self, "DEFLATE");

  return self;
}

/* The password is logged as <redacted>; the user name is kept. */
HeronImapCommand *
heron_imap_command_new_login (HeronImapCommandFlags   flags,
                              const char             *user,
                              const char             *password,
                              GError                **error)
{
  HeronImapCommand *self;

  g_return_val_if_fail (user != NULL, NULL);
  g_return_val_if_fail (password != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new ("LOGIN", flags);
  heron_imap_command_add_astring (self, user);
  heron_imap_command_add_secret (self, password);

  return finish (self, error);
}

static char *
sasl_encode (GBytes *data)
{
  gsize size;
  const guchar *bytes = g_bytes_get_data (data, &size);

  return size > 0 ? g_base64_encode (bytes, size) : g_strdup ("");
}

static void
sasl_encoded_free (char *encoded)
{
  _heron_imap_secure_clear (encoded, strlen (encoded));
  g_free (encoded);
}

/* initial_response is the raw (not base64) SASL initial response, or NULL for none. With SASL-IR it
 * goes on the command line ("=" when empty, RFC 4959 and RFC 9051 section 6.2.2); without, after
 * the server's first "+". Either way it is logged as <redacted>, and so is every continuation line
 * the client sends during the command. */
HeronImapCommand *
heron_imap_command_new_authenticate (HeronImapCommandFlags   flags,
                                     const char             *mechanism,
                                     GBytes                 *initial_response,
                                     GError                **error)
{
  HeronImapCommand *self;

  g_return_val_if_fail (mechanism != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new ("AUTHENTICATE", flags);
  self->secret_continuations = TRUE;
  heron_imap_command_add_atom (self, mechanism);

  if (initial_response != NULL && !_heron_imap_command_failed (self))
    {
      char *encoded = sasl_encode (initial_response);

      if (flags & HERON_IMAP_COMMAND_SASL_IR)
        {
          _heron_imap_command_begin_argument (self);
          g_string_append (_heron_imap_command_push_secret_text (self), *encoded != '\0' ? encoded : "=");
        }
      else
        {
          _heron_imap_command_push_continuation (self);
          g_string_append (_heron_imap_command_push_secret_text (self), encoded);
          self->need_space = TRUE;
        }

      sasl_encoded_free (encoded);
    }

  return finish (self, error);
}

/* A client response to a server challenge during AUTHENTICATE: the base64 of response on a line
 * of its own, an empty line for NULL or empty. Untagged; logged as <redacted>. */
HeronImapCommand *
heron_imap_command_new_sasl_response (GBytes *response)
{
  HeronImapCommand *self = _heron_imap_command_new_internal (NULL, 0, FALSE);

  self->secret_continuations = TRUE;

  if (response != NULL)
    {
      char *encoded = sasl_encode (response);

      g_string_append (_heron_imap_command_push_secret_text (self), encoded);
      sasl_encoded_free (encoded);
    }
  else
    {
      _heron_imap_command_push_secret_text (self);
    }

  return self;
}

/* "*": the client gives up the authentication exchange (RFC 3501 section 6.2.2). */
HeronImapCommand *
heron_imap_command_new_sasl_cancel (void)
{
  HeronImapCommand *self = _heron_imap_command_new_internal (NULL, 0, FALSE);

  g_string_append_c (_heron_imap_command_current_text (self), '*');

  return self;
}

/* RFC 5161, RFC 9051 section 6.3.1 */
HeronImapCommand *
heron_imap_command_new_enable (const char * const  *capabilities,
                               GError             **error)
{
  HeronImapCommand *self;

  g_return_val_if_fail (capabilities != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new ("ENABLE", 0);

  if (capabilities[0] == NULL)
    _heron_imap_command_set_error (self, ARGUMENT_ERROR, "ENABLE needs at least one capability");

  for (guint i = 0; capabilities[i] != NULL; i++)
    heron_imap_command_add_atom (self, capabilities[i]);

  return finish (self, error);
}

/* RFC 2971: fields_and_values is field, value, field, value, ... or NULL for "ID NIL". Fields are
 * at most 30 octets, values 1024, and there are at most 30 pairs (section 3.3). */
HeronImapCommand *
heron_imap_command_new_id (HeronImapCommandFlags   flags,
                           const char * const     *fields_and_values,
                           GError                **error)
{
  HeronImapCommand *self;
  guint n;

  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new ("ID", flags);

  n = fields_and_values != NULL ? g_strv_length ((char **) fields_and_values) : 0;
  if (n == 0)
    {
      heron_imap_command_add_raw (self, "NIL");
      return self;
    }

  if (n % 2 != 0)
    _heron_imap_command_set_error (self, ARGUMENT_ERROR, "An ID field has no value");
  else if (n / 2 > 30)
    _heron_imap_command_set_error (self, HERON_IMAP_ERROR_LIMIT, "ID allows at most 30 fields");

  for (guint i = 0; i < n; i++)
    {
      gsize limit = i % 2 == 0 ? 30 : 1024;

      if (strlen (fields_and_values[i]) > limit)
        _heron_imap_command_set_error (self, HERON_IMAP_ERROR_LIMIT, "ID fields are at most 30 octets, values 1024");
    }

  heron_imap_command_begin_list (self);
  for (guint i = 0; i < n; i++)
    heron_imap_command_add_string (self, fields_and_values[i]);
  heron_imap_command_end_list (self);

  return finish (self, error);
}

static gboolean
check_qresync_set (HeronImapCommand      *self,
                   const HeronImapUidSet *set,
                   HeronImapSetKind       kind)
{
  if (heron_imap_uid_set_get_kind (set) != kind)
    {
      _heron_imap_command_set_error (self, ARGUMENT_ERROR, "A QRESYNC set has the wrong kind of numbers");
      return FALSE;
    }

  /* "*" is not allowed in known-uids (RFC 7162 section 7). */
  if (heron_imap_uid_set_has_star (set))
    {
      _heron_imap_command_set_error (self, ARGUMENT_ERROR, "A QRESYNC set cannot contain “*”");
      return FALSE;
    }

  return TRUE;
}

static HeronImapCommand *
new_select_like (const char                   *name,
                 HeronImapCommandFlags         flags,
                 const char                   *mailbox,
                 const HeronImapSelectParams  *params,
                 GError                      **error)
{
  HeronImapCommand *self;

  g_return_val_if_fail (mailbox != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new (name, flags);
  heron_imap_command_add_mailbox (self, mailbox);

  if (params == NULL || (!params->condstore && params->qresync_uidvalidity == 0))
    return finish (self, error);

  heron_imap_command_begin_list (self);

  if (params->condstore)
    heron_imap_command_add_atom (self, "CONDSTORE");

  /* QRESYNC (uidvalidity mod-sequence-value [known-uids] [seq-match-data]), RFC 7162 3.2.5 */
  if (params->qresync_uidvalidity != 0)
    {
      const HeronImapUidSet *known = params->qresync_known_uids;
      const HeronImapUidSet *seqs = params->qresync_match_seqs;
      const HeronImapUidSet *uids = params->qresync_match_uids;

      if (params->qresync_modseq == 0)
        _heron_imap_command_set_error (self, ARGUMENT_ERROR, "QRESYNC needs a non-zero mod-sequence");

      if ((seqs == NULL) != (uids == NULL))
        _heron_imap_command_set_error (self, ARGUMENT_ERROR, "QRESYNC sequence match data needs both sets");
      else if (seqs != NULL &&
               check_qresync_set (self, seqs, HERON_IMAP_SET_SEQUENCE) &&
               check_qresync_set (self, uids, HERON_IMAP_SET_UID) &&
               heron_imap_uid_set_count (seqs) != heron_imap_uid_set_count (uids))
        _heron_imap_command_set_error (self, ARGUMENT_ERROR, "QRESYNC sequence match sets differ in size");

      if (known != NULL)
        check_qresync_set (self, known, HERON_IMAP_SET_UID);

      heron_imap_command_add_atom (self, "QRESYNC");
      heron_imap_command_begin_list (self);
      heron_imap_command_add_number (self, params->qresync_uidvalidity);
      heron_imap_command_add_number64 (self, params->qresync_modseq);
      if (known != NULL && !heron_imap_uid_set_is_empty (known))
        heron_imap_command_add_uid_set (self, known);
      if (seqs != NULL && uids != NULL)
        {
          heron_imap_command_begin_list (self);
          heron_imap_command_add_uid_set (self, seqs);
          heron_imap_command_add_uid_set (self, uids);
          heron_imap_command_end_list (self);
        }
      heron_imap_command_end_list (self);
    }

  heron_imap_command_end_list (self);

  return finish (self, error);
}

HeronImapCommand *
heron_imap_command_new_select (HeronImapCommandFlags         flags,
                               const char                   *mailbox,
                               const HeronImapSelectParams  *params,
                               GError                      **error)
{
  return new_select_like ("SELECT", flags, mailbox, params, error);
}

HeronImapCommand *
heron_imap_command_new_examine (HeronImapCommandFlags         flags,
                                const char                   *mailbox,
                                const HeronImapSelectParams  *params,
                                GError                      **error)
{
  return new_select_like ("EXAMINE", flags, mailbox, params, error);
}

/* LIST, basic (RFC 3501) or extended (RFC 5258) when there are selection options, several patterns
 * or return options. status_items, if not NULL or empty, asks for RETURN (STATUS (...)) (RFC 5819). */
HeronImapCommand *
heron_imap_command_new_list (HeronImapCommandFlags   flags,
                             const char             *reference,
                             const char * const     *patterns,
                             HeronImapListSelect     select_options,
                             HeronImapListReturn     return_options,
                             const char * const     *status_items,
                             GError                **error)
{
  static const struct {
    guint flag;
    const char *atom;
  } selections[] = {
    { HERON_IMAP_LIST_SELECT_REMOTE, "REMOTE" },
    { HERON_IMAP_LIST_SELECT_SUBSCRIBED, "SUBSCRIBED" },
    { HERON_IMAP_LIST_SELECT_SPECIAL_USE, "SPECIAL-USE" },
    { HERON_IMAP_LIST_SELECT_RECURSIVEMATCH, "RECURSIVEMATCH" },
  }, returns[] = {
    { HERON_IMAP_LIST_RETURN_SUBSCRIBED, "SUBSCRIBED" },
    { HERON_IMAP_LIST_RETURN_CHILDREN, "CHILDREN" },
    { HERON_IMAP_LIST_RETURN_SPECIAL_USE, "SPECIAL-USE" },
  };
  HeronImapCommand *self;
  gboolean want_status = status_items != NULL && status_items[0] != NULL;

  g_return_val_if_fail (reference != NULL, NULL);
  g_return_val_if_fail (patterns != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new ("LIST", flags);

  if (patterns[0] == NULL)
    _heron_imap_command_set_error (self, ARGUMENT_ERROR, "LIST needs a mailbox pattern");

  /* RECURSIVEMATCH alone, or with REMOTE only, is a BAD (RFC 9051 section 6.3.9.1). */
  if ((select_options & HERON_IMAP_LIST_SELECT_RECURSIVEMATCH) &&
      !(select_options & ~(HERON_IMAP_LIST_SELECT_RECURSIVEMATCH | HERON_IMAP_LIST_SELECT_REMOTE)))
    _heron_imap_command_set_error (self, ARGUMENT_ERROR, "RECURSIVEMATCH needs another selection option");

  if (select_options != HERON_IMAP_LIST_SELECT_NONE)
    {
      heron_imap_command_begin_list (self);
      for (guint i = 0; i < G_N_ELEMENTS (selections); i++)
        if (select_options & selections[i].flag)
          heron_imap_command_add_atom (self, selections[i].atom);
      heron_imap_command_end_list (self);
    }

  _heron_imap_command_write_mailbox (self, reference, NAME_REFERENCE);

  if (patterns[0] != NULL && patterns[1] != NULL)
    {
      heron_imap_command_begin_list (self);
      for (guint i = 0; patterns[i] != NULL; i++)
        heron_imap_command_add_list_mailbox (self, patterns[i]);
      heron_imap_command_end_list (self);
    }
  else if (patterns[0] != NULL)
    {
      heron_imap_command_add_list_mailbox (self, patterns[0]);
    }

  if (return_options != HERON_IMAP_LIST_RETURN_NONE || want_status)
    {
      heron_imap_command_add_atom (self, "RETURN");
      heron_imap_command_begin_list (self);
      for (guint i = 0; i < G_N_ELEMENTS (returns); i++)
        if (return_options & returns[i].flag)
          heron_imap_command_add_atom (self, returns[i].atom);
      if (want_status)
        {
          heron_imap_command_add_atom (self, "STATUS");
          heron_imap_command_begin_list (self);
          for (guint i = 0; status_items[i] != NULL; i++)
            heron_imap_command_add_atom (self, status_items[i]);
          heron_imap_command_end_list (self);
        }
      heron_imap_command_end_list (self);
    }

  return finish (self, error);
}

/* LSUB (RFC 3501 section 6.3.9); IMAP4rev2 servers want LIST (SUBSCRIBED) instead. */
HeronImapCommand *
heron_imap_command_new_lsub (HeronImapCommandFlags   flags,
                             const char             *reference,
                             const char             *pattern,
                             GError                **error)
{
  HeronImapCommand *self;

  g_return_val_if_fail (reference != NULL, NULL);
  g_return_val_if_fail (pattern != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new ("LSUB", flags);
  _heron_imap_command_write_mailbox (self, reference, NAME_REFERENCE);
  heron_imap_command_add_list_mailbox (self, pattern);

  return finish (self, error);
}

HeronImapCommand *
heron_imap_command_new_status (HeronImapCommandFlags   flags,
                               const char             *mailbox,
                               const char * const     *items,
                               GError                **error)
{
  HeronImapCommand *self;

  g_return_val_if_fail (mailbox != NULL, NULL);
  g_return_val_if_fail (items != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new ("STATUS", flags);

  if (items[0] == NULL)
    _heron_imap_command_set_error (self, ARGUMENT_ERROR, "STATUS needs at least one item");

  heron_imap_command_add_mailbox (self, mailbox);
  heron_imap_command_begin_list (self);
  for (guint i = 0; items[i] != NULL; i++)
    heron_imap_command_add_atom (self, items[i]);
  heron_imap_command_end_list (self);

  return finish (self, error);
}

/* special_uses, if not NULL or empty, are attributes such as "\\Drafts" for CREATE ... (USE (...))
 * (RFC 6154 section 3). */
HeronImapCommand *
heron_imap_command_new_create (HeronImapCommandFlags   flags,
                               const char             *mailbox,
                               const char * const     *special_uses,
                               GError                **error)
{
  HeronImapCommand *self;

  g_return_val_if_fail (mailbox != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new ("CREATE", flags);
  heron_imap_command_add_mailbox (self, mailbox);

  if (special_uses != NULL && special_uses[0] != NULL)
    {
      for (guint i = 0; special_uses[i] != NULL; i++)
        if (special_uses[i][0] != '\\')
          _heron_imap_command_set_error (self, ARGUMENT_ERROR, "“%s” is not a special-use attribute", special_uses[i]);

      heron_imap_command_begin_list (self);
      heron_imap_command_add_atom (self, "USE");
      heron_imap_command_add_flag_list (self, special_uses);
      heron_imap_command_end_list (self);
    }

  return finish (self, error);
}

static HeronImapCommand *
new_with_mailbox (const char             *name,
                  HeronImapCommandFlags   flags,
                  const char             *mailbox,
                  GError                **error)
{
  HeronImapCommand *self;

  g_return_val_if_fail (mailbox != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new (name, flags);
  heron_imap_command_add_mailbox (self, mailbox);

  return finish (self, error);
}

HeronImapCommand *
heron_imap_command_new_delete (HeronImapCommandFlags   flags,
                               const char             *mailbox,
                               GError                **error)
{
  return new_with_mailbox ("DELETE", flags, mailbox, error);
}

HeronImapCommand *
heron_imap_command_new_subscribe (HeronImapCommandFlags   flags,
                                  const char             *mailbox,
                                  GError                **error)
{
  return new_with_mailbox ("SUBSCRIBE", flags, mailbox, error);
}

HeronImapCommand *
heron_imap_command_new_unsubscribe (HeronImapCommandFlags   flags,
                                    const char             *mailbox,
                                    GError                **error)
{
  return new_with_mailbox ("UNSUBSCRIBE", flags, mailbox, error);
}

/* RFC 9208 (QUOTA) */
HeronImapCommand *
heron_imap_command_new_getquotaroot (HeronImapCommandFlags   flags,
                                     const char             *mailbox,
                                     GError                **error)
{
  return new_with_mailbox ("GETQUOTAROOT", flags, mailbox, error);
}

HeronImapCommand *
heron_imap_command_new_rename (HeronImapCommandFlags   flags,
                               const char             *from,
                               const char             *to,
                               GError                **error)
{
  HeronImapCommand *self;

  g_return_val_if_fail (from != NULL, NULL);
  g_return_val_if_fail (to != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new ("RENAME", flags);
  heron_imap_command_add_mailbox (self, from);
  heron_imap_command_add_mailbox (self, to);

  return finish (self, error);
}

static gboolean
is_uid (const HeronImapUidSet *set)
{
  return heron_imap_uid_set_get_kind (set) == HERON_IMAP_SET_UID;
}

static gboolean
check_modseq (HeronImapCommand *self,
              guint64           modseq,
              gboolean          zero_allowed)
{
  if ((modseq == 0 && !zero_allowed) || modseq > G_MAXINT64)
    {
      _heron_imap_command_set_error (self, ARGUMENT_ERROR, "%" G_GUINT64_FORMAT " is not a valid mod-sequence", modseq);
      return FALSE;
    }

  return TRUE;
}

/* items are fetch attributes written as they are ("FLAGS", "BODY.PEEK[HEADER]"); one goes bare,
 * more in parentheses. changed_since (HERON_IMAP_MODSEQ_NONE for none) and vanished are the RFC
 * 7162 modifiers; VANISHED needs CHANGEDSINCE and a UID set (section 3.2.6). */
HeronImapCommand *
heron_imap_command_new_fetch (const HeronImapUidSet  *set,
                              const char * const     *items,
                              guint64                 changed_since,
                              gboolean                vanished,
                              GError                **error)
{
  HeronImapCommand *self;

  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (items != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new (is_uid (set) ? "UID FETCH" : "FETCH", 0);
  heron_imap_command_add_uid_set (self, set);

  if (items[0] == NULL)
    _heron_imap_command_set_error (self, ARGUMENT_ERROR, "FETCH needs at least one item");
  else if (items[1] == NULL)
    heron_imap_command_add_raw (self, items[0]);
  else
    {
      heron_imap_command_begin_list (self);
      for (guint i = 0; items[i] != NULL; i++)
        heron_imap_command_add_raw (self, items[i]);
      heron_imap_command_end_list (self);
    }

  if (vanished && !is_uid (set))
    _heron_imap_command_set_error (self, ARGUMENT_ERROR, "VANISHED is only allowed with UID FETCH");
  if (vanished && changed_since == HERON_IMAP_MODSEQ_NONE)
    _heron_imap_command_set_error (self, ARGUMENT_ERROR, "VANISHED needs CHANGEDSINCE");

  if (changed_since != HERON_IMAP_MODSEQ_NONE && check_modseq (self, changed_since, FALSE))
    {
      heron_imap_command_begin_list (self);
      heron_imap_command_add_atom (self, "CHANGEDSINCE");
      heron_imap_command_add_number64 (self, changed_since);
      if (vanished)
        heron_imap_command_add_atom (self, "VANISHED");
      heron_imap_command_end_list (self);
    }

  return finish (self, error);
}

/* STORE [+-]FLAGS[.SILENT] (flags), with UNCHANGEDSINCE unless unchanged_since is
 * HERON_IMAP_MODSEQ_NONE (0 is valid there: RFC 7162 section 3.1.3, example 8). */
HeronImapCommand *
heron_imap_command_new_store (const HeronImapUidSet  *set,
                              HeronImapStoreAction    action,
                              gboolean                silent,
                              const char * const     *flags,
                              guint64                 unchanged_since,
                              GError                **error)
{
  static const char * const prefixes[] = { "", "+", "-" };
  HeronImapCommand *self;
  g_autofree char *item = NULL;

  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (action <= HERON_IMAP_STORE_REMOVE, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new (is_uid (set) ? "UID STORE" : "STORE", 0);
  heron_imap_command_add_uid_set (self, set);

  if (unchanged_since != HERON_IMAP_MODSEQ_NONE && check_modseq (self, unchanged_since, TRUE))
    {
      heron_imap_command_begin_list (self);
      heron_imap_command_add_atom (self, "UNCHANGEDSINCE");
      heron_imap_command_add_number64 (self, unchanged_since);
      heron_imap_command_end_list (self);
    }

  item = g_strconcat (prefixes[action], "FLAGS", silent ? ".SILENT" : "", NULL);
  heron_imap_command_add_atom (self, item);
  heron_imap_command_add_flag_list (self, flags);

  return finish (self, error);
}

static HeronImapCommand *
new_copy_like (const char             *name,
               HeronImapCommandFlags   flags,
               const HeronImapUidSet  *set,
               const char             *mailbox,
               GError                **error)
{
  g_autofree char *full_name = NULL;
  HeronImapCommand *self;

  g_return_val_if_fail (set != NULL, NULL);
  g_return_val_if_fail (mailbox != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  full_name = is_uid (set) ? g_strconcat ("UID ", name, NULL) : g_strdup (name);
  self = heron_imap_command_new (full_name, flags);
  heron_imap_command_add_uid_set (self, set);
  heron_imap_command_add_mailbox (self, mailbox);

  return finish (self, error);
}

HeronImapCommand *
heron_imap_command_new_copy (HeronImapCommandFlags   flags,
                             const HeronImapUidSet  *set,
                             const char             *mailbox,
                             GError                **error)
{
  return new_copy_like ("COPY", flags, set, mailbox, error);
}

/* RFC 6851, RFC 9051 section 6.4.8 */
HeronImapCommand *
heron_imap_command_new_move (HeronImapCommandFlags   flags,
                             const HeronImapUidSet  *set,
                             const char             *mailbox,
                             GError                **error)
{
  return new_copy_like ("MOVE", flags, set, mailbox, error);
}

/* RFC 4315 section 2.1 */
HeronImapCommand *
heron_imap_command_new_uid_expunge (const HeronImapUidSet  *uids,
                                    GError                **error)
{
  HeronImapCommand *self;

  g_return_val_if_fail (uids != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new ("UID EXPUNGE", 0);

  if (!is_uid (uids))
    _heron_imap_command_set_error (self, ARGUMENT_ERROR, "UID EXPUNGE takes UIDs, not sequence numbers");

  heron_imap_command_add_uid_set (self, uids);

  return finish (self, error);
}

static HeronImapCommand *
new_append (HeronImapCommandFlags   flags,
            const char             *mailbox,
            const char * const     *message_flags,
            GDateTime              *internal_date)
{
  HeronImapCommand *self = heron_imap_command_new ("APPEND", flags);

  heron_imap_command_add_mailbox (self, mailbox);
  if (message_flags != NULL)
    heron_imap_command_add_flag_list (self, message_flags);
  if (internal_date != NULL)
    heron_imap_command_add_date_time (self, internal_date);

  return self;
}

/* TRUE if the header of message (up to the first empty line, or all of it without one) holds an
 * octet above 127. */
static gboolean
header_has_8bit (GBytes *message)
{
  gsize length;
  const guchar *data = g_bytes_get_data (message, &length);

  for (gsize i = 0; i < length; i++)
    {
      if (data[i] >= 0x80)
        return TRUE;
      if (data[i] == '\n' &&
          ((i + 1 < length && data[i + 1] == '\n') ||
           (i + 2 < length && data[i + 1] == '\r' && data[i + 2] == '\n')))
        return FALSE;
    }

  return FALSE;
}

/* Writes the message: "UTF8 (~{n}...)" (RFC 6855 section 4) when asked, else a literal, a
 * literal8 with BINARY. */
static void
add_append_message (HeronImapCommand      *self,
                    GBytes                *bytes,
                    GInputStream          *stream,
                    guint64                size,
                    HeronImapAppendFlags   append_flags)
{
  HeronImapLiteralFlags literal_flags = HERON_IMAP_LITERAL_FLAGS_NONE;
  gboolean utf8 = (append_flags & HERON_IMAP_APPEND_UTF8) != 0;

  if (utf8 && (self->flags & HERON_IMAP_COMMAND_UTF8_ACCEPT) == 0)
    {
      _heron_imap_command_set_error (self, ARGUMENT_ERROR,
                                     "APPEND UTF8 needs UTF8=ACCEPT or IMAP4rev2 enabled");
      return;
    }

  /* RFC 6855 section 4: the UTF8 data item always carries a literal8, whether or not the server
   * offers BINARY. */
  if (utf8 || (append_flags & HERON_IMAP_APPEND_BINARY) != 0)
    literal_flags |= HERON_IMAP_LITERAL_BINARY;

  if (utf8)
    {
      heron_imap_command_add_atom (self, "UTF8");
      heron_imap_command_begin_list (self);
    }

  if (bytes != NULL)
    heron_imap_command_add_literal (self, bytes, literal_flags);
  else
    heron_imap_command_add_literal_stream (self, stream, size, literal_flags);

  if (utf8)
    heron_imap_command_end_list (self);
}

/* APPEND mailbox [(flags)] [date-time] message. message_flags NULL leaves the flag list out, an
 * empty array writes "()". HERON_IMAP_APPEND_BINARY sends a literal8 ("~{n}", RFC 3516), which
 * may hold NUL; ask for it only when the server offers BINARY. With
 * HERON_IMAP_COMMAND_UTF8_ACCEPT in flags and 8-bit octets in the message's header, the message
 * goes as "UTF8 (~{n}...)" (RFC 6855 section 4) on its own; HERON_IMAP_APPEND_UTF8 asks for that
 * form whatever the header holds (and fails without HERON_IMAP_COMMAND_UTF8_ACCEPT). */
HeronImapCommand *
heron_imap_command_new_append (HeronImapCommandFlags   flags,
                               const char             *mailbox,
                               const char * const     *message_flags,
                               GDateTime              *internal_date,
                               GBytes                 *message,
                               HeronImapAppendFlags    append_flags,
                               GError                **error)
{
  HeronImapCommand *self;

  g_return_val_if_fail (mailbox != NULL, NULL);
  g_return_val_if_fail (message != NULL, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  if ((flags & HERON_IMAP_COMMAND_UTF8_ACCEPT) != 0 && header_has_8bit (message))
    append_flags |= HERON_IMAP_APPEND_UTF8;

  self = new_append (flags, mailbox, message_flags, internal_date);
  add_append_message (self, message, NULL, 0, append_flags);

  return finish (self, error);
}

/* As heron_imap_command_new_append(), the message read from stream (size octets) as it is sent.
 * The stream is not looked into: the caller says with HERON_IMAP_APPEND_UTF8 that its header has
 * 8-bit octets. */
HeronImapCommand *
heron_imap_command_new_append_stream (HeronImapCommandFlags   flags,
                                      const char             *mailbox,
                                      const char * const     *message_flags,
                                      GDateTime              *internal_date,
                                      GInputStream           *message,
                                      guint64                 size,
                                      HeronImapAppendFlags    append_flags,
                                      GError                **error)
{
  HeronImapCommand *self;

  g_return_val_if_fail (mailbox != NULL, NULL);
  g_return_val_if_fail (G_IS_INPUT_STREAM (message), NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = new_append (flags, mailbox, message_flags, internal_date);
  add_append_message (self, NULL, message, size, append_flags);

  return finish (self, error);
}

/* [UID] SEARCH [RETURN (options)] [CHARSET charset] criteria (RFC 3501 6.4.4, RFC 4731, RFC 9051
 * 6.4.4). criteria is a fragment holding the search keys, built with the add functions: strings
 * with heron_imap_command_add_string(), dates with heron_imap_command_add_date(), the rest raw.
 * return_options NULL leaves RETURN out; an empty array writes "RETURN ()". Without UTF8=ACCEPT,
 * 8-bit strings need a charset, "UTF-8", and go as literals. */
HeronImapCommand *
heron_imap_command_new_search (HeronImapCommandFlags   flags,
                               gboolean                uid,
                               const char * const     *return_options,
                               const char             *charset,
                               HeronImapCommand       *criteria,
                               GError                **error)
{
  HeronImapCommand *self;

  g_return_val_if_fail (criteria != NULL && criteria->fragment, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new (uid ? "UID SEARCH" : "SEARCH", flags);

  if (return_options != NULL)
    {
      heron_imap_command_add_atom (self, "RETURN");
      heron_imap_command_begin_list (self);
      for (guint i = 0; return_options[i] != NULL; i++)
        heron_imap_command_add_raw (self, return_options[i]);
      heron_imap_command_end_list (self);
    }

  if (charset != NULL)
    {
      heron_imap_command_add_atom (self, "CHARSET");
      heron_imap_command_add_astring (self, charset);
    }

  if (criteria->parts->len == 0 && criteria->error == NULL)
    _heron_imap_command_set_error (self, ARGUMENT_ERROR, "SEARCH needs at least one search key");

  heron_imap_command_add_fragment (self, criteria);

  if (self->has_8bit && charset == NULL && !(flags & HERON_IMAP_COMMAND_UTF8_ACCEPT))
    _heron_imap_command_set_error (self, HERON_IMAP_ERROR_UNSUPPORTED,
               "Search strings beyond US-ASCII need CHARSET UTF-8");

  return finish (self, error);
}

/* NOTIFY (RFC 5465) */

static const struct {
  HeronImapNotifyEvents event;
  const char *name;
} notify_events[] = {
  { HERON_IMAP_NOTIFY_MESSAGE_NEW, "MessageNew" },
  { HERON_IMAP_NOTIFY_MESSAGE_EXPUNGE, "MessageExpunge" },
  { HERON_IMAP_NOTIFY_FLAG_CHANGE, "FlagChange" },
  { HERON_IMAP_NOTIFY_ANNOTATION_CHANGE, "AnnotationChange" },
  { HERON_IMAP_NOTIFY_MAILBOX_NAME, "MailboxName" },
  { HERON_IMAP_NOTIFY_SUBSCRIPTION_CHANGE, "SubscriptionChange" },
  { HERON_IMAP_NOTIFY_MAILBOX_METADATA_CHANGE, "MailboxMetadataChange" },
  { HERON_IMAP_NOTIFY_SERVER_METADATA_CHANGE, "ServerMetadataChange" },
};

static const char * const notify_filters[] = {
  [HERON_IMAP_NOTIFY_SELECTED] = "SELECTED",
  [HERON_IMAP_NOTIFY_SELECTED_DELAYED] = "SELECTED-DELAYED",
  [HERON_IMAP_NOTIFY_INBOXES] = "INBOXES",
  [HERON_IMAP_NOTIFY_PERSONAL] = "PERSONAL",
  [HERON_IMAP_NOTIFY_SUBSCRIBED] = "SUBSCRIBED",
  [HERON_IMAP_NOTIFY_SUBTREE] = "SUBTREE",
  [HERON_IMAP_NOTIFY_MAILBOXES] = "MAILBOXES",
};

/* Why @group breaks RFC 5465 section 5, or NULL. @seen: the filters of the groups before it. */
static const char *
notify_group_problem (const HeronImapNotifyGroup *group,
                      guint                      *seen)
{
  guint message_events = HERON_IMAP_NOTIFY_MESSAGE_NEW | HERON_IMAP_NOTIFY_MESSAGE_EXPUNGE;
  gboolean selected = group->filter == HERON_IMAP_NOTIFY_SELECTED ||
                      group->filter == HERON_IMAP_NOTIFY_SELECTED_DELAYED;

  if ((guint) group->filter >= G_N_ELEMENTS (notify_filters))
    return "unknown NOTIFY filter";
  if (*seen & (1u << group->filter))
    return "a NOTIFY filter may appear only once";
  if (selected && (*seen & ((1u << HERON_IMAP_NOTIFY_SELECTED) | (1u << HERON_IMAP_NOTIFY_SELECTED_DELAYED))))
    return "SELECTED and SELECTED-DELAYED exclude each other";
  *seen |= 1u << group->filter;

  if ((group->filter == HERON_IMAP_NOTIFY_SUBTREE || group->filter == HERON_IMAP_NOTIFY_MAILBOXES) &&
      (group->mailboxes == NULL || group->mailboxes[0] == NULL))
    return "SUBTREE and MAILBOXES need at least one mailbox";
  if ((group->events & message_events) != 0 && (group->events & message_events) != message_events)
    return "MessageNew and MessageExpunge must be asked together";
  if ((group->events & (HERON_IMAP_NOTIFY_FLAG_CHANGE | HERON_IMAP_NOTIFY_ANNOTATION_CHANGE)) != 0 &&
      (group->events & message_events) != message_events)
    return "FlagChange and AnnotationChange need MessageNew and MessageExpunge";
  if (group->fetch_items != NULL && group->fetch_items[0] != NULL &&
      (!selected || !(group->events & HERON_IMAP_NOTIFY_MESSAGE_NEW)))
    return "MessageNew's FETCH items are only for SELECTED and SELECTED-DELAYED";
  return NULL;
}

HeronImapCommand *
heron_imap_command_new_notify (HeronImapCommandFlags       flags,
                               gboolean                    status,
                               const HeronImapNotifyGroup *groups,
                               guint                       n_groups,
                               GError                    **error)
{
  HeronImapCommand *self;
  guint seen = 0;

  g_return_val_if_fail (groups != NULL || n_groups == 0, NULL);
  g_return_val_if_fail (error == NULL || *error == NULL, NULL);

  self = heron_imap_command_new ("NOTIFY", flags);
  if (n_groups == 0)
    {
      heron_imap_command_add_atom (self, "NONE");
      return finish (self, error);
    }

  heron_imap_command_add_atom (self, "SET");
  if (status)
    heron_imap_command_add_atom (self, "STATUS");

  for (guint i = 0; i < n_groups; i++)
    {
      const HeronImapNotifyGroup *group = &groups[i];
      const char *problem = notify_group_problem (group, &seen);

      if (problem != NULL)
        {
          _heron_imap_command_set_error (self, ARGUMENT_ERROR, "%s", problem);
          break;
        }

      heron_imap_command_begin_list (self);
      heron_imap_command_add_atom (self, notify_filters[group->filter]);
      if (group->filter == HERON_IMAP_NOTIFY_SUBTREE || group->filter == HERON_IMAP_NOTIFY_MAILBOXES)
        {
          heron_imap_command_begin_list (self);
          for (guint j = 0; group->mailboxes[j] != NULL; j++)
            heron_imap_command_add_mailbox (self, group->mailboxes[j]);
          heron_imap_command_end_list (self);
        }

      if (group->events == HERON_IMAP_NOTIFY_NONE)
        heron_imap_command_add_atom (self, "NONE");
      else
        {
          heron_imap_command_begin_list (self);
          for (guint j = 0; j < G_N_ELEMENTS (notify_events); j++)
            {
              if (!(group->events & notify_events[j].event))
                continue;
              heron_imap_command_add_atom (self, notify_events[j].name);
              if (notify_events[j].event == HERON_IMAP_NOTIFY_MESSAGE_NEW &&
                  group->fetch_items != NULL && group->fetch_items[0] != NULL)
                {
                  heron_imap_command_begin_list (self);
                  for (guint k = 0; group->fetch_items[k] != NULL; k++)
                    heron_imap_command_add_raw (self, group->fetch_items[k]);
                  heron_imap_command_end_list (self);
                }
            }
          heron_imap_command_end_list (self);
        }
      heron_imap_command_end_list (self);
    }

  return finish (self, error);
}
