/* heron-cli-mail-private.h: what heron-cli-mail.c and heron-cli-mail-sync.c share.
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heron-cli.h"
#include "store/heron-store.h"

G_BEGIN_DECLS

int      heron_cli_mail_find_account            (HeronCli            *cli,
                                                 const char          *id,
                                                 HeronAccountConfig **out_config);
int      heron_cli_mail_open_cache              (HeronCli            *cli,
                                                 HeronAccountConfig  *config,
                                                 HeronStoreReader   **out_reader);
int      heron_cli_mail_find_folder             (HeronCli            *cli,
                                                 HeronStoreReader    *reader,
                                                 const char          *name,
                                                 HeronStoreFolder   **out_folder);
guint    heron_cli_mail_system_flag_from_string (const char          *name);
GStrv    heron_cli_mail_dup_flags               (const HeronStoreMessage *message);
gboolean heron_cli_mail_parse                   (HeronCli            *cli,
                                                 const char          *parameters,
                                                 const char          *summary,
                                                 const GOptionEntry  *entries,
                                                 int                 *argc,
                                                 char              ***argv,
                                                 int                 *out_exit);

G_END_DECLS
