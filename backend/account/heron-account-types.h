/* heron-account-types.h: the enumerations of account configuration
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 *
 * Every enumeration has a GType (for properties) whose value nicks are exactly the words written
 * in the account files ("tls", "starttls", "none", ...); docs/accounts.md lists them.
 */

#pragma once

#include <glib-object.h>

G_BEGIN_DECLS

/* Which server of an account; also the "protocol" attribute of its secret. */
typedef enum {
  HERON_ACCOUNT_PROTOCOL_IMAP,
  HERON_ACCOUNT_PROTOCOL_SMTP,
} HeronAccountProtocol;

/* How the connection is protected. There is no silent fallback: STARTTLS must succeed, and
 * NONE is only valid for a loopback host whose account allows plain text (heron-account-server.h). */
typedef enum {
  HERON_ACCOUNT_SECURITY_TLS,      /* implicit TLS from the first byte (993, 465) */
  HERON_ACCOUNT_SECURITY_STARTTLS, /* plain connect, then STARTTLS, which must succeed (143, 587) */
  HERON_ACCOUNT_SECURITY_NONE,     /* plain text: loopback only */
} HeronAccountSecurity;

/* How the client proves who it is. PASSWORD lets the engine pick the SASL mechanism
 * (PLAIN, LOGIN); the OAuth2 methods take their token from a HeronOAuth2Provider. */
typedef enum {
  HERON_ACCOUNT_AUTH_PASSWORD,
  HERON_ACCOUNT_AUTH_XOAUTH2,
  HERON_ACCOUNT_AUTH_OAUTHBEARER,
} HeronAccountAuth;

/* Which folders the account keeps in sync. */
typedef enum {
  HERON_ACCOUNT_FOLDER_SYNC_ALL,        /* every selectable mailbox */
  HERON_ACCOUNT_FOLDER_SYNC_SUBSCRIBED, /* the subscribed ones (LSUB), and INBOX */
  HERON_ACCOUNT_FOLDER_SYNC_LIST,       /* the ones named in the account, and INBOX */
} HeronAccountFolderSync;

/* The folders whose role the account may override; without an override the server's
 * SPECIAL-USE attributes (RFC 6154) decide. */
typedef enum {
  HERON_ACCOUNT_SPECIAL_FOLDER_DRAFTS,
  HERON_ACCOUNT_SPECIAL_FOLDER_SENT,
  HERON_ACCOUNT_SPECIAL_FOLDER_TRASH,
  HERON_ACCOUNT_SPECIAL_FOLDER_JUNK,
  HERON_ACCOUNT_SPECIAL_FOLDER_ARCHIVE,
} HeronAccountSpecialFolder;

#define HERON_ACCOUNT_N_SPECIAL_FOLDERS (HERON_ACCOUNT_SPECIAL_FOLDER_ARCHIVE + 1)

/* What the "changed" signal of HeronAccountConfigStore reports. */
typedef enum {
  HERON_ACCOUNT_CHANGE_ADDED,
  HERON_ACCOUNT_CHANGE_UPDATED,
  HERON_ACCOUNT_CHANGE_REMOVED,
} HeronAccountChange;

#define HERON_TYPE_ACCOUNT_PROTOCOL       (heron_account_protocol_get_type ())
#define HERON_TYPE_ACCOUNT_SECURITY       (heron_account_security_get_type ())
#define HERON_TYPE_ACCOUNT_AUTH           (heron_account_auth_get_type ())
#define HERON_TYPE_ACCOUNT_FOLDER_SYNC    (heron_account_folder_sync_get_type ())
#define HERON_TYPE_ACCOUNT_SPECIAL_FOLDER (heron_account_special_folder_get_type ())
#define HERON_TYPE_ACCOUNT_CHANGE         (heron_account_change_get_type ())

GType        heron_account_protocol_get_type       (void) G_GNUC_CONST;
GType        heron_account_security_get_type       (void) G_GNUC_CONST;
GType        heron_account_auth_get_type           (void) G_GNUC_CONST;
GType        heron_account_folder_sync_get_type    (void) G_GNUC_CONST;
GType        heron_account_special_folder_get_type (void) G_GNUC_CONST;
GType        heron_account_change_get_type         (void) G_GNUC_CONST;

/* The word of the account file ("imap", "tls", "xoauth2", "subscribed", "Drafts", ...). */
const char  *heron_account_enum_to_string          (GType        enum_type,
                                                    int          value);
/* Parses the word of the account file, ignoring ASCII case; FALSE if it is not one. */
gboolean     heron_account_enum_from_string        (GType        enum_type,
                                                    const char  *string,
                                                    int         *out_value);

G_END_DECLS
