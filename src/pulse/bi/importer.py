"""Inside Superset: make sure the admin exists, then import the assets bundle.

Runs with the BI venv's Python (`.venv-bi/bin/python -P importer.py BUNDLE.zip USER`),
not with the project's: it imports Superset. The password comes from the environment
(PULSE_BI_PASSWORD), never from the command line; when it is unset and the user does
not exist, one is generated and printed (once) in the JSON on stdout.

Superset's `import-dashboards` CLI keeps existing datasets and charts (overwrite=False
below the dashboard), so changed YAML would not show; the assets importer overwrites
every object of the bundle, matched by uuid.
"""

from __future__ import annotations

import json
import os
import secrets
import sys
import zipfile


def main(bundle: str, username: str) -> int:
    from flask import g
    from superset.app import create_app

    app = create_app()
    with app.app_context():
        from superset import security_manager as sm
        from superset.commands.importers.v1.assets import ImportAssetsCommand
        from superset.commands.importers.v1.utils import get_contents_from_bundle
        from superset.extensions import db

        password = os.environ.get("PULSE_BI_PASSWORD") or None
        generated = None
        user = sm.find_user(username=username)
        if user is None:
            if password is None:
                password = generated = secrets.token_urlsafe(12)
            user = sm.add_user(
                username,
                "Pulse",
                "Admin",
                f"{username}@pulse.invalid",
                sm.find_role("Admin"),
                password=password,
            )
            if not user:
                print(f"could not create the Superset user {username!r}", file=sys.stderr)
                return 1
        elif password is not None:
            sm.reset_password(user.id, password)
        db.session.commit()
        # Say the generated password before anything else can fail.
        print(json.dumps({"user": username, "generated_password": generated}), flush=True)

        g.user = user
        with zipfile.ZipFile(bundle) as zf:
            contents = get_contents_from_bundle(zf)
        ImportAssetsCommand(contents).run()
        print(json.dumps({"imported_files": len(contents)}), flush=True)
    return 0


if __name__ == "__main__":
    raise SystemExit(main(sys.argv[1], sys.argv[2]))
