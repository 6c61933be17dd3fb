"""Channel-layer group names, in one place."""


def agent_group(agent_id: int) -> str:
    return f"agent.{agent_id}"
