#!/usr/bin/env python3
"""Setup for benches/assistant.sh: a bench user, its sessions, and a Lua file for wrk.

    assistant_setup.py BASE SESSIONS OUT.lua
"""

import json
import sys
import urllib.request


def call(base, method, path, token=None, body=None):
    headers = {"content-type": "application/json"}
    if token:
        headers["authorization"] = "Bearer " + token
    data = json.dumps(body).encode() if body is not None else None
    request = urllib.request.Request(base + path, data=data, headers=headers, method=method)
    with urllib.request.urlopen(request) as response:
        return json.loads(response.read() or b"null")


def main():
    base, sessions, out = sys.argv[1], int(sys.argv[2]), sys.argv[3]
    password = "bench-password-long"
    call(base, "POST", "/api/v1/auth/register",
         body={"username": "bench", "email": "bench@example.kr", "password": password})
    token = call(base, "POST", "/api/v1/auth/login",
                 body={"login": "bench", "password": password})["access_token"]
    ids = [call(base, "POST", "/api/v1/assistant/sessions", token, {"title": f"bench {i}"})["id"]
           for i in range(sessions)]
    with open(out, "w") as f:
        f.write(f'TOKEN = "{token}"\n')
        f.write("SESSIONS = {" + ", ".join(f'"{i}"' for i in ids) + "}\n")
    print(token)


if __name__ == "__main__":
    main()
