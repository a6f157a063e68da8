UPDATE users SET "lastLoginAt" = :now WHERE id = :user_id;
