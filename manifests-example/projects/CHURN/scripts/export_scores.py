# Pushes the latest churn scores to the CRM. Runs as a custom python scenario of project CHURN.
from dataiku.scenario import Scenario

scenario = Scenario()
scenario.build_dataset("churn_scores_crm_export")

threshold = float(scenario.get_all_variables().get("scoreThreshold", 0.7))
scenario.set_scenario_variables(exportThreshold=threshold)
