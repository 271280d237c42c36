"""Django management commands for modal-processor-deploy: deploy_modal, logs_modal and run_processor.

Each command runs the project's `modal-processor` CLI, so the flow (preflight, deploy, verify, smoke call, rollback,
error codes) has one implementation, in the action's TypeScript.
"""
