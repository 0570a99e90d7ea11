/* heron-mime.h: backend/mime in one include
 *
 * Copyright 2026 The Heron developers
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include "heron-mime-address.h"
#include "heron-mime-attachment.h"
#include "heron-mime-composer.h"
#include "heron-mime-error.h"
#include "heron-mime-flowed.h"
#include "heron-mime-headers.h"
#include "heron-mime-html.h"
#include "heron-mime-message.h"
#include "heron-mime-sender.h"
