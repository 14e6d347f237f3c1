/* mc-login-page.h — server, username and password
 *
 * Copyright 2026 The Mentorcall authors
 * SPDX-License-Identifier: GPL-3.0-or-later
 */

#pragma once

#include <gtk/gtk.h>

G_BEGIN_DECLS

#define MC_TYPE_LOGIN_PAGE (mc_login_page_get_type ())
G_DECLARE_FINAL_TYPE (McLoginPage, mc_login_page, MC, LOGIN_PAGE, GtkWidget)

void        mc_login_page_set_server (McLoginPage *self,
                                      const char  *server);
void        mc_login_page_set_username (McLoginPage *self,
                                        const char  *username);
void        mc_login_page_set_password (McLoginPage *self,
                                        const char  *password);
const char *mc_login_page_get_server (McLoginPage *self);
const char *mc_login_page_get_username (McLoginPage *self);
const char *mc_login_page_get_password (McLoginPage *self);
void        mc_login_page_set_busy (McLoginPage *self,
                                    gboolean     busy);
void        mc_login_page_set_error (McLoginPage *self,
                                     const char  *message);
void        mc_login_page_clear_password (McLoginPage *self);
gboolean    mc_login_page_get_busy (McLoginPage *self);
const char *mc_login_page_get_error (McLoginPage *self);
void        mc_login_page_submit (McLoginPage *self);

G_END_DECLS
