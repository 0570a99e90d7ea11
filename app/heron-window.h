/* heron-window.h
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */
#pragma once

#include "heron-application.h"

G_BEGIN_DECLS

#define HERON_TYPE_WINDOW (heron_window_get_type ())

G_DECLARE_FINAL_TYPE (HeronWindow, heron_window, HERON, WINDOW, AdwApplicationWindow)

HeronWindow *heron_window_new (HeronApplication *application);

G_END_DECLS
