"""The instance as a whole: settings admins change at run time, the society's branding (site), the admin
dashboard's figures, and mail to members."""
